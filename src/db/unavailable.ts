// 08: connection exception; 57P01-3: admin/crash shutdown, cannot connect now; 53300: too many connections; 3D000: database gone.
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '3D000',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i;

/**
 * Whether an error means the database cannot be reached right now (refused or dropped connections, a
 * server shutting down or starting, a pool that could not connect in time), as opposed to a bad query.
 * Wrappers (Apollo's context errors, `cause`) are looked through.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  const { code, originalError } = error as { code?: unknown; originalError?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) return true;
  if (UNAVAILABLE_MESSAGE.test(error.message)) return true;
  return isDatabaseUnavailable(originalError, depth + 1) || isDatabaseUnavailable(error.cause, depth + 1);
}

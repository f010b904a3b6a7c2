import { UUID_PATTERN } from '../../schema/input-limits';
import { badUserInput } from '../graphql/errors';

/**
 * Opaque keyset cursors: base64url of `[version, orderKey, value, id]`. The order key ties a cursor to
 * the order it was made for, so a cursor from another ordering is refused instead of skipping rows.
 */
const CURSOR_VERSION = 1;

export type CursorValue = string | number | null;

export interface Cursor {
  orderKey: string;
  value: CursorValue;
  id: string;
}

export function encodeCursor(orderKey: string, value: CursorValue | Date, id: string): string {
  const serialised = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([CURSOR_VERSION, orderKey, serialised, id])).toString('base64url');
}

function decodeCursor(cursor: string, expectedOrderKey: string): Cursor {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('Malformed cursor in `after`: pass a cursor this API returned.', 'after');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    parsed[0] !== CURSOR_VERSION ||
    typeof parsed[1] !== 'string' ||
    !(typeof parsed[2] === 'string' || typeof parsed[2] === 'number' || parsed[2] === null) ||
    typeof parsed[3] !== 'string'
  ) {
    throw badUserInput('Malformed cursor in `after`: pass a cursor this API returned.', 'after');
  }
  if (parsed[1] !== expectedOrderKey) {
    throw badUserInput('The cursor in `after` belongs to a different ordering or list.', 'after');
  }
  const [, orderKey, value, id] = parsed as [number, string, string | number | null, string];
  return { orderKey, value, id };
}

/** Offset cursors for ranked lists (search), where no stable key order exists. */
export function encodeOffsetCursor(listKey: string, offset: number): string {
  return encodeCursor(listKey, offset, String(offset));
}

export function decodeOffsetCursor(cursor: string, listKey: string): number {
  const { value } = decodeCursor(cursor, listKey);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000) {
    throw badUserInput('Malformed cursor in `after`: pass a cursor this API returned.', 'after');
  }
  return value;
}

/** Exactly what `Date.prototype.toISOString` writes for the years PostgreSQL and JavaScript share. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_BIGINT = 9223372036854775807n;

function isTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_TIMESTAMP.test(value)) return false;
  const time = Date.parse(value);
  // Round-tripping refuses dates that do not exist (February 30th) and year 0, which PostgreSQL has not.
  return !Number.isNaN(time) && new Date(time).toISOString() === value && !value.startsWith('0000');
}

function isText(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 1000 && !value.includes('\u0000');
}

function isBigintId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT;
}

/**
 * A keyset cursor whose value and id have been checked in PostgreSQL's terms (a timestamp PostgreSQL
 * reads as the same instant, text without NUL, a uuid, a bigint in range), so that a forged cursor is a
 * BAD_USER_INPUT and never reaches PostgreSQL as an invalid literal.
 */
export function decodeKeysetCursor(
  cursor: string,
  orderKey: string,
  valueKind: 'timestamp' | 'text',
  idKind: 'uuid' | 'bigint',
): Cursor {
  const decoded = decodeCursor(cursor, orderKey);
  const valueOk = valueKind === 'timestamp' ? isTimestamp(decoded.value) : isText(decoded.value);
  const idOk = idKind === 'uuid' ? UUID_PATTERN.test(decoded.id) : isBigintId(decoded.id);
  if (!valueOk || !idOk) throw badUserInput('Malformed cursor in `after`: pass a cursor this API returned.', 'after');
  return decoded;
}

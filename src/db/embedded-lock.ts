import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite keeps its files in one directory that only one process may open: a second process (say
 * `npm run seed` while `npm start` runs) would write over the first one's pages. A pid file makes the
 * second process stop with a clear message instead.
 */
export class EmbeddedDatabaseBusyError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (a running gateway?). ` +
        'Stop it first, or point DATABASE_URL at a PostgreSQL server to share one database between processes.',
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockEmbeddedDatabase(dataDir: string): () => void {
  const file = path.join(dataDir, 'studygraph.pid');
  try {
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder))
      throw new EmbeddedDatabaseBusyError(dataDir, holder);
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusyError) throw error;
    // No lock file, or a stale one: take it.
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
}

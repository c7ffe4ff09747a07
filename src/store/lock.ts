import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite is single-process: two processes opening one data folder would corrupt it. The process that
 * opens the embedded store writes this lock file (its pid); any other process checks it first and
 * refuses to open the folder while that pid is alive.
 */
const LOCK_FILE = 'passerelle.lock';

export interface LockInfo {
  pid: number;
  /** The HTTP port of the server that holds the store, when it is a server. */
  port?: number;
  /** The server's admin socket, through which CLI commands reach the store it holds. */
  socket?: string;
  startedAt: string;
}

export class StoreInUseError extends Error {
  readonly code = 'STORE_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `the embedded store in ${dataDir} is open in another process (pid ${holder.pid}` +
        (holder.port ? `, a Passerelle server on port ${holder.port}` : '') +
        '). PGlite allows one process per data folder: stop that process first, ' +
        'or run Passerelle on PostgreSQL (DATABASE_URL) where any number of processes may connect.',
    );
    this.name = 'StoreInUseError';
  }
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock for this process, or throws StoreInUseError. Returns the release function. */
export function acquireLock(dataDir: string, port?: number): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const holder = readLock(dataDir);
  if (holder && holder.pid !== process.pid) throw new StoreInUseError(dataDir, holder);
  const info: LockInfo = { pid: process.pid, port, startedAt: new Date().toISOString() };
  fs.writeFileSync(file, JSON.stringify(info));
  return () => {
    const current = readLockRaw(file);
    if (current?.pid === process.pid) fs.rmSync(file, { force: true });
  };
}

/** Records the server's port and admin socket in a lock this process holds, for other commands. */
export function updateLock(dataDir: string, update: Pick<LockInfo, 'port' | 'socket'>): void {
  const file = path.join(dataDir, LOCK_FILE);
  const current = readLockRaw(file);
  if (current?.pid === process.pid) fs.writeFileSync(file, JSON.stringify({ ...current, ...update }));
}

function readLockRaw(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
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

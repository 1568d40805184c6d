import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Next to the data directory (`data/pglite.pid`), not in it: PostgreSQL owns what is inside. */
export const lockFileOf = (dataDir: string) => `${resolve(dataDir)}.pid`;

/** Directories this process has open (a second PGlite on one directory corrupts it just the same). */
const openHere = new Set<string>();

/**
 * Claims `dataDir` for this process: PGlite is one process's embedded database, and two processes (or two
 * instances in one) writing the same files corrupt them. A lock file left by a process that died is taken
 * over. Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const dir = resolve(dataDir);
  if (openHere.has(dir)) throw new DataDirInUseError(dir, 'this process');
  // Claimed here before any await, so two opens in this process cannot both get past the check.
  openHere.add(dir);
  const path = lockFileOf(dir);
  try {
    await writeLockFile(dir, path);
  } catch (error) {
    openHere.delete(dir);
    throw error;
  }
  return async () => {
    openHere.delete(dir);
    await unlink(path).catch(() => {});
  };
}

async function writeLockFile(dir: string, path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(`${process.pid} ${hostname()}\n`);
      await file.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = parseHolder(await readFile(path, 'utf8').catch(() => ''));
      if (holder !== undefined && isHeld(holder)) {
        throw new DataDirInUseError(dir, `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}`);
      }
      await unlink(path).catch(() => {});
    }
  }
}

/** `<pid> <host>`; files written before the host was added hold the pid alone. */
function parseHolder(text: string): { pid: number; host: string | undefined } | undefined {
  const [pid, host] = text.trim().split(/\s+/);
  const parsed = Number.parseInt(pid ?? '', 10);
  return Number.isInteger(parsed) ? { pid: parsed, host: host || undefined } : undefined;
}

/**
 * Whether the lock file's process may still hold the directory. One on another host (another container on a
 * shared volume, with a pid namespace of its own) cannot be checked: it holds. One here with our own pid, not
 * open in this process, is a previous run that had it (a restarted container's pid 1).
 */
function isHeld(holder: { pid: number; host: string | undefined }): boolean {
  if (holder.host !== undefined && holder.host !== hostname()) return true;
  return holder.pid !== process.pid && isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another process (or this one) has the data directory open. */
export class DataDirInUseError extends Error {
  constructor(dir: string, holder: string) {
    super(
      `the PGlite data directory ${dir} is in use by ${holder}: PGlite serves one process (use the API from ` +
        `other processes, or PostgreSQL through DATABASE_URL for several; if no such process runs, delete ` +
        `${lockFileOf(dir)})`,
    );
    this.name = 'DataDirInUseError';
  }
}

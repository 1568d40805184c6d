import { open, readFile, unlink } from 'node:fs/promises';
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
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      // Our own pid, not open here: a previous run that had it (a restarted container's pid 1).
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder))
        throw new DataDirInUseError(dir, `process ${holder}`);
      await unlink(path).catch(() => {});
    }
  }
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

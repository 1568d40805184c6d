import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir, lockFileOf } from '../../src/store/data-dir-lock.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('a PGlite data directory belongs to one process', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-dir-lock-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  // One PGlite on disk (its start is slow); the lock's own rules are tested on `lockDataDir` below.
  it('refuses a second open of the same directory until the first is closed', async () => {
    const dir = join(root, 'pglite');
    const first = await openPgliteDatabase(dir);
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    await expect(openPgliteDatabase(dir)).rejects.toThrow(/in use by this process/);
    await expect(openPgliteDatabase(dir)).rejects.toBeInstanceOf(DataDirInUseError);
    await first.close();
    expect(await exists(lockFileOf(dir))).toBe(false);
    const release = await lockDataDir(dir);
    await release();
  }, 60_000);

  it('refuses a directory another live process holds, naming it', async () => {
    const dir = join(root, 'held');
    const other = spawn('sleep', ['30']);
    try {
      await writeFile(lockFileOf(dir), `${other.pid}\n`);
      await expect(lockDataDir(dir)).rejects.toThrow(`in use by process ${other.pid}`);
      expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${other.pid}\n`);
    } finally {
      other.kill();
    }
  });

  it('lets only one of two simultaneous opens in one process have it', async () => {
    const dir = join(root, 'raced');
    const results = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const r of results) if (r.status === 'fulfilled') await r.value();
  });

  it('takes over the lock file of a process that died', async () => {
    const dir = join(root, 'stale');
    const gone = spawn('true');
    await new Promise((resolve) => gone.on('exit', resolve));
    await writeFile(lockFileOf(dir), `${gone.pid}\n`);
    const release = await lockDataDir(dir);
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    await release();
    expect(await exists(lockFileOf(dir))).toBe(false);
  });

  it.each([
    // A restarted container's pid 1 finds its previous run's file: taken over.
    ['our own pid on this host, not open here', () => `${process.pid} ${hostname()}`, true],
    ['our own pid in a file from before hosts were written', () => `${process.pid}`, true],
    // Another container on a shared volume is pid 1 too, in a pid namespace of its own: it cannot be checked.
    ['our own pid on another host', () => `${process.pid} another-container`, false],
    ['a pid that is gone, on another host', () => '999999999 another-container', false],
  ])('%s: taken over %s', async (_name, content, taken) => {
    const dir = join(root, 'pid');
    await writeFile(lockFileOf(dir), `${content()}\n`);
    if (taken) {
      const release = await lockDataDir(dir);
      await release();
    } else {
      await expect(lockDataDir(dir)).rejects.toThrow(/on another-container/);
      expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${content()}\n`);
    }
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { instanceTypeConfig } from '../../src/domain/worker-type.js';
import type { Ec2Gateway } from '../../src/ec2/ec2-gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { Runtime } from '../../src/main.js';
import { SimulatedWorld } from '../../src/simulator/simulated-world.js';
import { engines, type TestDatabase } from '../helpers/databases.js';
import { loopDefinition } from '../helpers/loop-harness.js';

const postgres = engines().find((e) => e.name === 'postgres');
const INTERVAL_S = 3;

interface LoopProcess {
  child: ChildProcess;
  events: { event?: string; time?: string }[];
}

/** A real `aws-provisioner provisioner` process, its JSON log lines collected. */
function startLoop(env: Record<string, string>): LoopProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/cli.ts', 'provisioner'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: LoopProcess['events'] = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      try {
        events.push(JSON.parse(line));
      } catch {
        // not a log record
      }
    }
  });
  return { child, events };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const count = (p: LoopProcess, event: string) => p.events.filter((e) => e.event === event).length;

describe.runIf(postgres !== undefined)('leader failover between two loop processes on PostgreSQL', () => {
  let test: TestDatabase;
  let world: SimulatedWorld;
  const processes: LoopProcess[] = [];

  beforeAll(async () => {
    test = await (postgres as NonNullable<typeof postgres>).open();
    world = new SimulatedWorld({
      clock: new RealClock(),
      scenario: { regions: ['us-west-2'], workers: { bootstrap: 'skip' } },
    });
    await world.start();
  });
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await world.stop();
    await test.dispose();
  });

  it('runs the loop in exactly one process, and the other takes over within one interval when it dies', async () => {
    const env = {
      DATABASE_URL: test.url as string,
      PORT: '0',
      TASKCLUSTER_ROOT_URL: world.url as string,
      AWS_ENDPOINT_URL_EC2: world.url as string,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      ALLOWED_REGIONS: 'us-west-2',
      PROVISIONER_ID: 'failover-test',
      ITERATION_INTERVAL: String(INTERVAL_S),
      LOG_LEVEL: 'info',
    };
    const first = startLoop(env);
    processes.push(first);
    await until(() => count(first, 'loop.iteration') >= 1, 30_000, 'the first process to iterate');
    await defineWorkerType(env);
    addTasks(3);
    await until(() => launched() === 3, 30_000, 'the leader to launch for three tasks');
    const second = startLoop(env);
    processes.push(second);
    await until(() => count(second, 'server.listening') >= 1, 30_000, 'the second process to start');
    await until(() => count(first, 'loop.iteration') >= 3, 30_000, 'more iterations');
    expect(count(second, 'loop.leadership-acquired')).toBe(0);
    expect(count(second, 'loop.iteration')).toBe(0);

    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await until(() => count(second, 'loop.leadership-acquired') === 1, 30_000, 'the standby to take over');
    const tookOverAfterMs = Date.now() - killedAt;
    expect(tookOverAfterMs).toBeLessThan(INTERVAL_S * 1000);
    await until(() => count(second, 'loop.iteration') >= 2, 30_000, 'the new leader to iterate twice');
    // The new leader counts what the old one launched: nothing twice.
    expect(launched()).toBe(3);
    addTasks(2);
    await until(() => launched() === 5, 30_000, 'the new leader to launch for two more tasks');
    await until(() => count(second, 'loop.iteration') >= 4, 30_000, 'two more iterations');
    expect(launched()).toBe(5);
    const launches = await test.db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM launches GROUP BY state',
    );
    expect(launches).toEqual([{ state: 'submitted', n: 5 }]);
    const iterations = await test.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM loop_iterations WHERE finished_at IS NULL',
    );
    expect(iterations[0]?.n).toBeLessThanOrEqual(1);
  }, 120_000);

  /** Defined through the service's own code, as the API would (it ensures the key pair in EC2). */
  async function defineWorkerType(env: Record<string, string>): Promise<void> {
    const runtime = new Runtime({
      config: loadConfig({ ...env, LOG_LEVEL: 'silent' }),
      logger: createLogger('silent'),
      db: test.db,
      ec2Options: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
    const instanceTypes = [instanceTypeConfig('c5.large')];
    await runtime.workerTypes.create('steady', loopDefinition(['us-west-2'], { instanceTypes }), 'test');
    (runtime.ec2 as Ec2Gateway).destroy();
  }

  function addTasks(n: number): void {
    for (let i = 0; i < n; i++)
      world.queue.createTask({ provisionerId: 'failover-test', workerType: 'steady', durationMs: 3_600_000 });
  }

  const launched = () =>
    world.ec2.listInstances().filter((i) => i.tags.WorkerType === 'failover-test/steady').length;
});

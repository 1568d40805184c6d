import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { Ec2World } from '../../../src/simulator/ec2/ec2-world.js';
import { TaskQueue } from '../../../src/simulator/queue/task-queue.js';
import { parseWorkerUserData } from '../../../src/simulator/workers/worker-bootstrap.js';
import { WorkerFleet } from '../../../src/simulator/workers/worker-fleet.js';
import type { BootstrapMode } from '../../../src/simulator/workers/worker-settings.js';
import { launchWorkers, PROVISIONER, QUIET_EC2, START, workerUserData } from '../world-fixture.js';

/** A stand-in for the provisioner API: records the calls; token `bad` is unknown. */
function startStubProvisioner(): Promise<{ server: Server; url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    calls.push(`${req.method} ${url}`);
    if (url.startsWith('/v1/secret/') && !url.endsWith('/bad')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          data: {},
          scopes: [],
          credentials: { clientId: 'c', accessToken: 'a', certificate: '{}' },
        }),
      );
    } else if (url.startsWith('/v1/instance-started/')) {
      res.writeHead(204).end();
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'ResourceNotFound', message: 'No such secret' }));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls }),
    ),
  );
}

describe('worker bootstrap', () => {
  let stub: Awaited<ReturnType<typeof startStubProvisioner>>;
  beforeAll(async () => {
    stub = await startStubProvisioner();
  });
  afterAll(() => new Promise<void>((resolve) => stub.server.close(() => resolve())));
  beforeEach(() => {
    stub.calls.length = 0;
  });

  async function bootOne(mode: BootstrapMode, securityToken: string) {
    const clock = new VirtualClock(START);
    const ec2 = new Ec2World({ clock, scenario: QUIET_EC2 });
    const queue = new TaskQueue({ clock, events: ec2.events });
    const fleet = new WorkerFleet({ ec2, queue, settings: { bootstrap: mode } });
    queue.createTask({ provisionerId: PROVISIONER, workerType: 'wt', durationMs: 60_000 });
    const userData = workerUserData({ provisionerBaseUrl: `${stub.url}/v1`, securityToken });
    const [id = ''] = launchWorkers(ec2, { userData });
    await clock.advanceBy(30_000);
    const worker = fleet.worker(id);
    await fleet.settled();
    return { id, ec2, queue, worker };
  }

  it('calls getSecret, then instanceStarted, at provisionerBaseUrl, then works', async () => {
    const { id, ec2, queue, worker } = await bootOne('http', 'tok-1');
    expect(stub.calls).toEqual([`GET /v1/secret/tok-1`, `GET /v1/instance-started/${id}/tok-1`]);
    expect(worker?.state).toBe('working');
    expect(queue.counts()).toMatchObject({ running: 1, pending: 0 });
    expect(ec2.events.list({ type: 'worker-bootstrapped' })).toMatchObject([
      { instanceId: id, instanceStarted: 204 },
    ]);
  });

  it('shuts the instance down when getSecret fails', async () => {
    const { id, ec2, queue, worker } = await bootOne('http', 'bad');
    expect(stub.calls).toEqual(['GET /v1/secret/bad']);
    expect(worker?.state).toBe('stopped');
    expect(ec2.instance(id)).toMatchObject({
      state: 'shutting-down',
      stateReason: { code: 'Client.InstanceInitiatedShutdown' },
    });
    expect(ec2.events.list({ type: 'worker-bootstrap-failed' })).toMatchObject([
      { instanceId: id, error: 'getSecret answered HTTP 404' },
    ]);
    expect(queue.counts()).toMatchObject({ running: 0, pending: 1 });
  });

  it('makes no calls in skip mode', async () => {
    const { worker, queue } = await bootOne('skip', 'tok-2');
    expect(stub.calls).toEqual([]);
    expect(worker?.state).toBe('working');
    expect(queue.counts().running).toBe(1);
  });
});

describe('worker user data', () => {
  const valid = { provisionerId: 'p', workerType: 'wt', capacity: 2 };
  it.each([
    [undefined, 'the instance has no user data'],
    ['not json', 'the user data is not JSON'],
    ['[1]', 'the user data has no valid provisionerId'],
    [JSON.stringify({ ...valid, workerType: 'a b' }), 'the user data has no valid workerType'],
    [JSON.stringify({ ...valid, capacity: 0 }), 'the user data has no positive integer capacity'],
    [JSON.stringify({ ...valid, capacity: 1.5 }), 'the user data has no positive integer capacity'],
    [JSON.stringify(valid), valid],
    [
      JSON.stringify({
        ...valid,
        securityToken: 't',
        provisionerBaseUrl: 'http://x/v1',
        region: 'r',
        extra: 1,
      }),
      { ...valid, securityToken: 't', provisionerBaseUrl: 'http://x/v1', region: 'r' },
    ],
    // docker-worker's own idle setting, from the worker type's userData.
    [
      JSON.stringify({ ...valid, data: { shutdown: { afterIdleSeconds: 90 } } }),
      { ...valid, idleTimeoutMs: 90_000 },
    ],
    [
      JSON.stringify({ ...valid, data: { shutdown: { afterIdleSeconds: 0 } } }),
      { ...valid, idleTimeoutMs: 0 },
    ],
    [
      JSON.stringify({ ...valid, data: { shutdown: { enabled: false, afterIdleSeconds: 90 } } }),
      { ...valid, idleTimeoutMs: null },
    ],
    [JSON.stringify({ ...valid, data: { shutdown: { afterIdleSeconds: -1 } } }), valid],
    [JSON.stringify({ ...valid, data: { shutdown: { afterIdleSeconds: '90' } } }), valid],
    [JSON.stringify({ ...valid, data: { shutdown: [90] } }), valid],
    [JSON.stringify({ ...valid, data: { afterIdleSeconds: 90 } }), valid],
  ])('%s -> %j', (text, expected) => {
    expect(parseWorkerUserData(text)).toEqual(expected);
  });
});

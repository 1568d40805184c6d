import taskcluster from 'taskcluster-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { type RunningSimulator, serveSimulator } from '../../../src/simulator/ec2/ec2-http-handler.js';
import { createQueueControlHandler } from '../../../src/simulator/queue/queue-control-api.js';
import { createQueueHttpHandler } from '../../../src/simulator/queue/queue-http-handler.js';
import { TaskQueue } from '../../../src/simulator/queue/task-queue.js';

describe('simulated queue over HTTP', () => {
  let server: RunningSimulator;
  const queue = new TaskQueue({ clock: new VirtualClock(Date.UTC(2024, 0, 1)) });

  beforeAll(async () => {
    server = await serveSimulator([createQueueControlHandler(queue), createQueueHttpHandler(queue)]);
    for (let i = 0; i < 3; i++)
      queue.createTask({ provisionerId: 'aws-provisioner-v1', workerType: 'wt-1', durationMs: 1 });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers taskcluster-client's Queue.pendingTasks, 0 for an unknown worker type", async () => {
    const client = new taskcluster.Queue({ rootUrl: server.url, retries: 0 });
    expect(await client.pendingTasks('aws-provisioner-v1', 'wt-1')).toEqual({
      provisionerId: 'aws-provisioner-v1',
      workerType: 'wt-1',
      pendingTasks: 3,
    });
    expect(await client.pendingTasks('aws-provisioner-v1', 'nobody')).toEqual({
      provisionerId: 'aws-provisioner-v1',
      workerType: 'nobody',
      pendingTasks: 0,
    });
  });

  it('answers the taskQueueId route, the slash URL-encoded', async () => {
    const response = await fetch(
      `${server.url}/api/queue/v1/pending/${encodeURIComponent('aws-provisioner-v1/wt-1')}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ taskQueueId: 'aws-provisioner-v1/wt-1', pendingTasks: 3 });
    const unknown = await fetch(`${server.url}/api/queue/v1/pending/${encodeURIComponent('p/none')}`);
    expect(await unknown.json()).toEqual({ taskQueueId: 'p/none', pendingTasks: 0 });
  });

  it.each([
    ['/api/queue/v1/pending/no-slash', 400, 'InvalidRequestArguments'],
    ['/api/queue/v1/pending/bad%20name/wt', 400, 'InvalidRequestArguments'],
    ['/api/queue/v1/pending/a/b/c', 404, 'ResourceNotFound'],
    ['/api/queue/v1/task/abc', 404, 'ResourceNotFound'],
  ])('GET %s -> %i %s with a Taskcluster error body', async (path, status, code) => {
    const response = await fetch(`${server.url}${path}`);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { code: string; message: string; requestInfo: object };
    expect(body.code).toBe(code);
    expect(body.requestInfo).toMatchObject({ method: 'GET' });
  });

  it('creates tasks and reports statistics through the control API', async () => {
    const created = await fetch(`${server.url}/simulator/v1/queue/tasks`, {
      method: 'POST',
      body: JSON.stringify({ provisionerId: 'p', workerType: 'control', durationMs: 60_000, count: 2 }),
    });
    const { taskIds } = (await created.json()) as { taskIds: string[] };
    expect(taskIds).toHaveLength(2);
    const client = new taskcluster.Queue({ rootUrl: server.url, retries: 0 });
    expect((await client.pendingTasks('p', 'control')).pendingTasks).toBe(2);
    const one = await fetch(`${server.url}/simulator/v1/queue/tasks/${taskIds[0]}`);
    expect(await one.json()).toMatchObject({ taskId: taskIds[0], state: 'pending', durationMs: 60_000 });
    const stats = (await (await fetch(`${server.url}/simulator/v1/queue/stats`)).json()) as {
      created: number;
    };
    expect(stats.created).toBe(5);
    const bad = await fetch(`${server.url}/simulator/v1/queue/tasks`, {
      method: 'POST',
      body: JSON.stringify({ provisionerId: 'p', workerType: 'control', durationMs: -5 }),
    });
    expect(bad.status).toBe(400);
  });
});

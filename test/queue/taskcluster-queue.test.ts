import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { TaskclusterQueue } from '../../src/queue/taskcluster-queue.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/ec2/ec2-http-handler.js';
import { createQueueHttpHandler } from '../../src/simulator/queue/queue-http-handler.js';
import { TaskQueue } from '../../src/simulator/queue/task-queue.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

describe('TaskclusterQueue against the simulated queue', () => {
  let server: RunningSimulator;
  let proxy: TcpProxy;
  const tasks = new TaskQueue({ clock: new VirtualClock(Date.UTC(2026, 0, 1)) });

  beforeAll(async () => {
    server = await serveSimulator([createQueueHttpHandler(tasks)]);
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: server.port });
    for (let i = 0; i < 4; i++) tasks.createTask({ provisionerId: 'p', workerType: 'wt', durationMs: 1 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('reuses its connection from one call to the next', async () => {
    const queue = new TaskclusterQueue(`http://127.0.0.1:${proxy.port}`);
    const before = proxy.acceptedConnections;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await queue.pendingTasks('p', i % 2 ? 'wt' : 'other'));
    expect(answers).toEqual([0, 4, 0, 4, 0]);
    expect(proxy.acceptedConnections - before).toBe(1);
  });

  it('answers again after its kept-alive connection was dropped', async () => {
    const queue = new TaskclusterQueue(`http://127.0.0.1:${proxy.port}`);
    expect(await queue.pendingTasks('p', 'wt')).toBe(4);
    proxy.cut();
    proxy.restore();
    expect(await queue.pendingTasks('p', 'wt')).toBe(4);
  });
});

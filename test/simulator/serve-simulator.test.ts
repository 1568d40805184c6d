import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { serveSimulator } from '../../src/simulator/ec2/ec2-http-handler.js';

describe('serveSimulator', () => {
  it("keeps an idle keep-alive socket open past Node's default (5 s, plus its 1-s grace), so a client reconnects only when it chooses", async () => {
    // A server-side idle timeout made replays depend on real time: a reconnection reorders concurrent requests.
    const server = await serveSimulator([
      async (_req, res) => {
        res.end('ok');
        return true;
      },
    ]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const localPortOfOneRequest = () =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${server.url}/`, { agent }, (res) => {
          const port = req.socket?.localPort;
          res.resume();
          res.on('end', () => resolve(port));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await localPortOfOneRequest();
      await sleep(7_000);
      const second = await localPortOfOneRequest();
      expect(first).toBeTypeOf('number');
      expect(second).toBe(first);
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});

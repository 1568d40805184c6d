import { EC2Client } from '@aws-sdk/client-ec2';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import {
  createEc2HttpHandler,
  type RunningSimulator,
  serveSimulator,
} from '../../../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../../../src/simulator/ec2/ec2-world.js';
import type { ScenarioInput } from '../../../src/simulator/ec2/scenario.js';

/** Quiet defaults for tests: no eventual-consistency delay and no throttling unless a test asks. */
export const TEST_SCENARIO: ScenarioInput = {
  seed: 'tests',
  delays: {
    instanceVisibility: { minMs: 0, maxMs: 0 },
    spotRequestVisibility: { minMs: 0, maxMs: 0 },
    boot: { minMs: 30_000, maxMs: 30_000 },
    shutdown: { minMs: 20_000, maxMs: 20_000 },
  },
  throttle: { enabled: false },
  interruptions: { multiplier: 0 },
};

export interface SimulatedEc2 {
  clock: VirtualClock;
  world: Ec2World;
  server: RunningSimulator;
  /** The real SDK, pointed at the simulator, no retries. */
  client(region?: string): EC2Client;
  /** A raw form POST, signed (or not) the way the test wants. */
  post(
    form: Record<string, string>,
    options?: { region?: string | null },
  ): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export async function startSimulatedEc2(scenario: ScenarioInput = {}): Promise<SimulatedEc2> {
  const clock = new VirtualClock(Date.UTC(2024, 0, 1));
  const world = new Ec2World({
    clock,
    scenario: {
      ...TEST_SCENARIO,
      ...scenario,
      delays: { ...TEST_SCENARIO.delays, ...scenario.delays },
    },
  });
  const server = await serveSimulator([createEc2HttpHandler(world)]);
  const clients: EC2Client[] = [];
  return {
    clock,
    world,
    server,
    client(region = 'us-east-1') {
      const client = new EC2Client({
        region,
        endpoint: server.url,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    async post(form, options = {}) {
      const region = options.region === undefined ? 'us-east-1' : options.region;
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      };
      if (region !== null) {
        headers.authorization = `AWS4-HMAC-SHA256 Credential=test/20240101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=00`;
      }
      const response = await fetch(server.url, {
        method: 'POST',
        headers,
        body: new URLSearchParams(form).toString(),
      });
      return { status: response.status, text: await response.text() };
    },
    async close() {
      for (const client of clients) client.destroy();
      await server.close();
    },
  };
}

/** The EC2 error code an SDK call fails with (the SDK names the error after it). */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('expected the call to fail');
}

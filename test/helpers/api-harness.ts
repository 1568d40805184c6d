import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { RealClock } from '../../src/clock/clock.js';
import { type Config, loadConfig, type StaticClient } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { Runtime } from '../../src/main.js';
import { listen } from '../../src/server.js';
import {
  createEc2HttpHandler,
  type RunningSimulator,
  serveSimulator,
} from '../../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../../src/simulator/ec2/scenario.js';
import type { Engine, TestDatabase } from './databases.js';

export const PROVISIONER_ID = 'test-provisioner';
export const REGIONS = ['us-west-2', 'us-east-1'];
export const SECURITY_GROUP = 'docker-worker';

export interface Clients {
  /** `*`: may do anything. */
  root: StaticClient;
  /** Manages worker types named `limited-*` and nothing else. */
  limited: StaticClient;
  /** The provisioner's own credentials: signs workers' temporary credentials. */
  provisioner: StaticClient;
}

export interface ApiHarness {
  rootUrl: string;
  clients: Clients;
  config: Config;
  runtime: Runtime;
  app: FastifyInstance;
  world: Ec2World;
  simulator: RunningSimulator;
  test: TestDatabase;
  imageId(region: string): string;
  close(): Promise<void>;
}

function client(clientId: string, scopes: string[]): StaticClient {
  return { clientId, accessToken: randomBytes(24).toString('base64url'), scopes };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A running `aws-provisioner server` (the real app, listening on a port) on the given database engine,
 * whose EC2 is the simulator over HTTP through the real AWS SDK.
 */
export async function startApiHarness(
  engine: Engine,
  options: { env?: Record<string, string>; logger?: Logger } = {},
): Promise<ApiHarness> {
  const clock = new RealClock();
  const world = new Ec2World({
    clock,
    scenario: {
      regions: REGIONS.map((name) => ({ name, securityGroups: [SECURITY_GROUP] })),
      throttle: { enabled: false },
    },
  });
  const simulator = await serveSimulator([createEc2HttpHandler(world)]);
  const test = await engine.open();
  const clients: Clients = {
    root: client('root', ['*']),
    limited: client('limited', [
      'aws-provisioner:manage-worker-type:limited-*',
      'aws-provisioner:create-secret:limited-*',
    ]),
    provisioner: client('static/aws-provisioner', [
      `assume:worker-type:${PROVISIONER_ID}/*`,
      'assume:worker-id:*',
      '*',
    ]),
  };
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    STATIC_CLIENTS: JSON.stringify(Object.values(clients)),
    TASKCLUSTER_CLIENT_ID: clients.provisioner.clientId,
    TASKCLUSTER_ACCESS_TOKEN: clients.provisioner.accessToken,
    PROVISIONER_ID: PROVISIONER_ID,
    ALLOWED_REGIONS: REGIONS.join(','),
    AWS_ENDPOINT_URL_EC2: simulator.url,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = options.logger ?? createLogger('silent');
  const runtime = new Runtime({
    config,
    logger,
    db: test.db,
    clock,
    ec2Options: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  const app = await runtime.buildApiApp();
  await listen(app, port, '127.0.0.1');
  return {
    rootUrl: `http://127.0.0.1:${port}`,
    clients,
    config,
    runtime,
    app,
    world,
    simulator,
    test,
    imageId: defaultImageId,
    close: async () => {
      await app.close();
      await runtime.publisher.stop();
      if ('destroy' in runtime.ec2) (runtime.ec2 as { destroy(): void }).destroy();
      await simulator.close();
      await test.dispose();
    },
  };
}

/**
 * CPU per EC2 call, split into its parts, with the simulator in this process as in the replay: the AWS SDK
 * alone (a canned response, no HTTP), Node's HTTP at both ends plus the simulator (no SDK), and whole calls
 * through the gateway (a describe that finds nothing, a RunInstances, DescribeInstances finding none and 240
 * instances). The evidence for what one call costs whatever it carries, and what its items add.
 * `npx tsx bench/call-cost.ts [--calls 1000]`
 */
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DescribeSpotInstanceRequestsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { RealClock } from '../src/clock/clock.js';
import { encodeUserData } from '../src/domain/user-data.js';
import { Ec2Gateway } from '../src/ec2/ec2-gateway.js';
import type { LaunchRequest } from '../src/ec2/ec2-port.js';
import { createEc2HttpHandler, serveSimulator } from '../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../src/simulator/ec2/scenario.js';
import { slugid } from '../src/slugid.js';

const { values } = parseArgs({ options: { calls: { type: 'string' } } });
const calls = Number(values.calls ?? 1000);
if (!Number.isInteger(calls) || calls < 1) throw new RangeError('--calls must be a positive integer');

/** Mean CPU (user + system) per call of `call`, after a warm-up of a fifth as many calls. */
async function cpuPerCall(label: string, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.ceil(calls / 5); i++) await call();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(start);
  console.log(`${label.padEnd(58)} ${((used.user + used.system) / 1000 / calls).toFixed(3)} ms CPU per call`);
}

const REGION = 'us-west-2';
/** Instances in the described page: the replay's mean per region over gecko-t's first 6 hours. */
const PAGE = 240;
const OWNER = { Owner: 'call-cost' };
const FILTERS = [
  { Name: 'tag:Owner', Values: ['call-cost'] },
  { Name: 'state', Values: ['open'] },
];
const EMPTY_PAGE =
  '<DescribeSpotInstanceRequestsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><spotInstanceRequestSet/></DescribeSpotInstanceRequestsResponse>';

const world = new Ec2World({
  clock: new RealClock(),
  // Room for every launch of the run (RunInstances with its warm-up, then the page): a full pool would end it
  // with a capacity error.
  // Instances visible at once and booting for an hour, so the described page does not change while it is timed.
  scenario: {
    regions: [REGION],
    throttle: { enabled: false },
    capacity: { defaultPerPool: 2 * calls + PAGE },
    delays: { instanceVisibility: { minMs: 0, maxMs: 0 }, boot: { minMs: 3_600_000, maxMs: 3_600_000 } },
  },
});
const simulator = await serveSimulator([createEc2HttpHandler(world)]);
const agent = new Agent({ keepAlive: true });
const form = new URLSearchParams({ Action: 'DescribeSpotInstanceRequests', Version: '2016-11-15' });
FILTERS.forEach((filter, i) => {
  form.append(`Filter.${i + 1}.Name`, filter.Name);
  form.append(`Filter.${i + 1}.Value.1`, filter.Values[0] ?? '');
});
const authorization = `AWS4-HMAC-SHA256 Credential=cost/20240101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`;
const rawDescribe = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(simulator.url, { method: 'POST', agent, headers: { authorization } }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`The simulator answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(form.toString());
  });
await cpuPerCall('Node HTTP both ends + simulator: the same describe, no SDK', rawDescribe);

const gateway = new Ec2Gateway({
  regions: [REGION],
  clock: new RealClock(),
  endpoint: simulator.url,
  credentials: { accessKeyId: 'cost', secretAccessKey: 'cost' },
  budget: { concurrency: 8, ratePerSecond: 1e9, burst: 1e9 },
});
await cpuPerCall('gateway: the same describe (SDK, HTTP, simulator)', () =>
  gateway.describeSpotRequests(REGION, { tags: OWNER, states: ['open'] }),
);
// User data as the loop encodes it (§C.4), with a securityToken made as the loop makes one.
const userData = encodeUserData({
  availabilityZone: `${REGION}a`,
  capacity: 1,
  data: {},
  instanceType: 't3.medium',
  lastModified: new Date().toISOString(),
  launchSpecGenerated: new Date().toISOString(),
  price: 0.0125,
  provisionerBaseUrl: 'http://127.0.0.1:8080/api/aws-provisioner/v1',
  provisionerId: 'call-cost',
  region: REGION,
  securityToken: slugid(),
  spotBid: 0.05,
  taskclusterRootUrl: 'http://127.0.0.1:8080',
  workerType: 'cost',
});
await gateway.ensureKeyPair(REGION, 'call-cost', undefined);
/** One spot launch of a t3.medium, as the loop launches it, under the worker type `name`. */
const spotLaunch = (clientToken: string, name: string): LaunchRequest => ({
  region: REGION,
  clientToken,
  market: 'spot',
  maxPrice: 0.05,
  launchSpec: {
    ImageId: defaultImageId(REGION),
    InstanceType: 't3.medium',
    KeyName: 'call-cost',
    UserData: userData,
    Placement: { AvailabilityZone: `${REGION}a` },
  },
  tags: { ...OWNER, Name: name, WorkerType: `call-cost/${name}` },
});
let launches = 0;
await cpuPerCall('gateway: RunInstances, one spot instance (as the loop launches)', () =>
  gateway.runInstance(spotLaunch(`call-cost-${launches++}`, 'cost')),
);
// What the items of a page add to a call: a describe of PAGE unchanged instances (as from one pass to the next)
// against one that finds none, each walking the same fleet in the simulator.
for (let i = 0; i < PAGE; i++) await gateway.runInstance(spotLaunch(`call-cost-page-${i}`, 'page'));
await cpuPerCall('gateway: DescribeInstances, finding none', () =>
  gateway.describeInstances(REGION, { tags: { Name: 'none' } }),
);
await cpuPerCall(`gateway: DescribeInstances, ${PAGE} unchanged instances`, () =>
  gateway.describeInstances(REGION, { tags: { Name: 'page' } }),
);
gateway.destroy();
agent.destroy();
await simulator.close();

// Last, so module loading and the simulator's start are long over.
const canned = new EC2Client({
  region: REGION,
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'cost', secretAccessKey: 'cost' },
  requestHandler: {
    handle: async () => ({
      response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(EMPTY_PAGE)]) },
    }),
  } as unknown as EC2Client['config']['requestHandler'],
});
await cpuPerCall('SDK alone: DescribeSpotInstanceRequests, canned empty page', () =>
  canned.send(new DescribeSpotInstanceRequestsCommand({ Filters: FILTERS, MaxResults: 1000 })),
);

canned.destroy();

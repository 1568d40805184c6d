/**
 * CPU of one EC2 call through the real gateway (AWS SDK), per action and page size, with the simulator in
 * a process of its own: the evidence for where a pass's CPU goes. `npx tsx bench/sdk-page-cost.ts [--instances 1000]`
 */
import { parseArgs } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import { VirtualClock } from '../src/clock/virtual-clock.js';
import { Ec2Gateway } from '../src/ec2/ec2-gateway.js';
import { SCALE_START, type ScaleFleetSpec } from './scale/scale-fleet.js';
import { startWorld } from './scale/scale-run.js';

async function cpuOf(label: string, repeat: number, call: () => Promise<number>): Promise<void> {
  await call();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let items = 0;
  for (let i = 0; i < repeat; i++) items = await call();
  const used = process.cpuUsage(cpu);
  const ms = (used.user + used.system) / 1000 / repeat;
  console.log(
    `${label.padEnd(40)} ${items} items  ${ms.toFixed(1)} ms CPU per call in this process (the simulator runs in another), ${((performance.now() - started) / repeat).toFixed(1)} ms wall`,
  );
}

const { values } = parseArgs({ options: { instances: { type: 'string' } } });
const instances = Number(values.instances ?? 1000);
const spec: ScaleFleetSpec = {
  provisionerId: 'cost',
  workerTypes: 10,
  regions: ['us-east-1'],
  instances,
  busyWorkerTypes: 0,
  tasksEach: 0,
};
const world = await startWorld(spec);
const gateway = new Ec2Gateway({
  regions: ['us-east-1'],
  clock: new VirtualClock(SCALE_START + 60_000),
  endpoint: world.url,
  credentials: { accessKeyId: 'cost', secretAccessKey: 'cost' },
  budget: { concurrency: 8, ratePerSecond: 1e9, burst: 1e9 },
});
const filter = { tags: { Owner: 'cost' } };
await cpuOf(
  `DescribeInstances (${Math.ceil(instances / 1000)} pages)`,
  5,
  async () => (await gateway.describeInstances('us-east-1', filter)).length,
);
await cpuOf(
  'DescribeSpotPriceHistory, every type',
  5,
  async () => (await gateway.describeSpotPrices('us-east-1', SCALE_START - 1_800_000)).length,
);
await cpuOf(
  'DescribeSpotPriceHistory, 4 types',
  5,
  async () =>
    (
      await gateway.describeSpotPrices('us-east-1', SCALE_START - 1_800_000, [
        'c5.large',
        'm5.large',
        'r5.large',
        't3.medium',
      ])
    ).length,
);
await cpuOf(
  'DescribeSpotInstanceRequests (none tagged)',
  5,
  async () => (await gateway.describeSpotRequests('us-east-1', filter)).length,
);
// The same page's XML parsed by fast-xml-parser (a dependency already): what a leaner deserialiser costs.
const body = new URLSearchParams({ Action: 'DescribeInstances', Version: '2016-11-15', MaxResults: '1000' });
body.append('Filter.1.Name', 'tag:Owner');
body.append('Filter.1.Value.1', 'cost');
const authorization =
  'AWS4-HMAC-SHA256 Credential=cost/20240108/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0';
const xml = await (await fetch(world.url, { method: 'POST', body, headers: { authorization } })).text();
const parser = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'item' });
await cpuOf(`fast-xml-parser, same page (${(xml.length / 1e6).toFixed(1)} MB)`, 5, async () => {
  const parsed = parser.parse(xml) as { DescribeInstancesResponse: { reservationSet: { item: unknown[] } } };
  return parsed.DescribeInstancesResponse.reservationSet.item.length;
});
// A streaming scan that only picks the fields the loop reads: the order of magnitude a lean reader costs.
const fields = [
  'instanceId',
  'instanceType',
  'availabilityZone',
  'name',
  'launchTime',
  'clientToken',
  'spotInstanceRequestId',
  'key',
  'value',
];
await cpuOf('regex scan of the fields the loop reads', 5, async () => {
  let found = 0;
  for (const field of fields)
    for (const _ of xml.matchAll(new RegExp(`<${field}>([^<]*)</${field}>`, 'g'))) found++;
  return found;
});
gateway.destroy();
world.child.send({ stop: true });

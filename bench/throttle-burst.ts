/**
 * A burst of concurrent launches in one region against the simulator's EC2-like throttle (a token bucket
 * on mutating calls), through the real gateway: how many attempts EC2 throttled, how many launches were
 * lost after their attempts ran out, and how long the burst took. Compare two commits by running it in
 * each (a git worktree of the other).
 * `npx tsx bench/throttle-burst.ts [--launches 80] [--bucket 20] [--refill 5] [--attempts 5]`
 */
import { parseArgs } from 'node:util';
import { RealClock } from '../src/clock/clock.js';
import { Ec2Gateway } from '../src/ec2/ec2-gateway.js';
import { createEc2HttpHandler, serveSimulator } from '../src/simulator/ec2/ec2-http-handler.js';
import { Ec2World } from '../src/simulator/ec2/ec2-world.js';
import { defaultImageId } from '../src/simulator/ec2/scenario.js';

const { values } = parseArgs({
  options: {
    launches: { type: 'string' },
    bucket: { type: 'string' },
    refill: { type: 'string' },
    attempts: { type: 'string' },
  },
});
const positive = (name: string, text: string | undefined, fallback: number) => {
  const value = Number(text ?? fallback);
  if (!(value > 0)) throw new RangeError(`--${name} must be a positive number`);
  return value;
};
const launches = positive('launches', values.launches, 80);
const bucket = positive('bucket', values.bucket, 20);
const refill = positive('refill', values.refill, 5);
const attempts = positive('attempts', values.attempts, 5);

const clock = new RealClock();
const REGION = 'us-west-2';
const world = new Ec2World({
  clock,
  scenario: {
    regions: [REGION],
    throttle: { enabled: true, mutate: { capacity: bucket, refillPerSecond: refill } },
  },
});
const simulator = await serveSimulator([createEc2HttpHandler(world)]);
const tally = { attempts: 0, throttled: 0 };
const gateway = new Ec2Gateway({
  regions: [REGION],
  clock,
  endpoint: simulator.url,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: attempts,
  onCall: (event) => {
    tally.attempts += 1;
    if (event.outcome === 'throttled') tally.throttled += 1;
  },
});
try {
  await gateway.ensureKeyPair(REGION, 'bench', undefined);
  const started = Date.now();
  const results = await Promise.allSettled(
    Array.from({ length: launches }, (_, i) =>
      gateway.runInstance({
        region: REGION,
        clientToken: `burst-${i}`,
        launchSpec: {
          ImageId: defaultImageId(REGION),
          InstanceType: 'c5.large',
          KeyName: 'bench',
          UserData: '',
          Placement: { AvailabilityZone: `${REGION}a` },
        },
        market: 'on-demand',
        tags: { Owner: 'bench' },
      }),
    ),
  );
  const lost = results.filter((r) => r.status === 'rejected').length;
  console.log(
    `${launches} launches (bucket ${bucket}, refill ${refill}/s, ${attempts} attempts each): ` +
      `${tally.attempts} attempts, ${tally.throttled} throttled, ${lost} lost, ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  gateway.destroy();
  await simulator.close();
}

import { keyPairName } from '../domain/key-pair-name.js';
import { buildLaunchSpec } from '../domain/launch-spec.js';
import { type PlannedLaunch, toLaunchOffer } from '../domain/offers.js';
import type { WorkerType } from '../domain/worker-type.js';
import type { LaunchRequest } from '../ec2/ec2-port.js';
import { slugid } from '../slugid.js';
import type { NewLaunch } from '../store/launch-store.js';
import type { NewSecret } from '../store/secret-store.js';
import type { LauncherOptions } from './launcher.js';
import { launchTags } from './observe-fleet.js';

/**
 * A planned launch made ready to record and send: its EC2 request (launch spec, user data with its own
 * single-use `securityToken`, tags) under a fresh client token, its record, and its secret.
 */
export function prepareLaunch(
  workerType: WorkerType,
  planned: PlannedLaunch,
  now: Date,
  options: LauncherOptions,
): { launch: NewLaunch; secret: NewSecret } {
  const securityToken = slugid();
  const clientToken = slugid();
  const info = buildLaunchSpec({
    definition: workerType,
    workerType: workerType.workerType,
    lastModified: workerType.lastModified,
    offer: toLaunchOffer(planned),
    keyName: keyPairName(options.awsKeyPrefix, workerType.workerType, options.awsInstancePubkey),
    provisionerId: options.provisionerId,
    provisionerBaseUrl: options.provisionerBaseUrl,
    taskclusterRootUrl: options.taskclusterRootUrl,
    securityToken,
    now: now.getTime(),
  });
  const request: LaunchRequest = {
    region: planned.region,
    clientToken,
    launchSpec: info.launchSpec,
    market: planned.market,
    ...(planned.maxPrice !== null ? { maxPrice: planned.maxPrice } : {}),
    tags: launchTags(options.provisionerId, workerType.workerType),
  };
  const launch: NewLaunch = {
    clientToken,
    workerType: workerType.workerType,
    region: planned.region,
    zone: planned.zone,
    instanceType: planned.instanceType,
    market: planned.market,
    maxPrice: planned.maxPrice,
    hourlyPrice: planned.price,
    capacity: planned.capacity,
    request,
  };
  const secret: NewSecret = {
    token: securityToken,
    launchToken: clientToken,
    workerType: workerType.workerType,
    secrets: info.secrets,
    scopes: [],
    expiration: new Date(now.getTime() + options.secretLifetimeMs),
  };
  return { launch, secret };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeInstances, runInstances, terminateInstances } from './actions-instances.js';
import { describeAvailabilityZones, describeRegions, describeSpotPriceHistory } from './actions-regions.js';
import {
  createKeyPair,
  createSecurityGroup,
  createTags,
  deleteKeyPair,
  describeImages,
  describeKeyPairs,
  describeSecurityGroups,
  importKeyPair,
  registerImage,
} from './actions-resources.js';
import {
  cancelSpotInstanceRequests,
  describeSpotInstanceRequests,
  requestSpotInstances,
} from './actions-spot.js';
import { dryRunSucceeded, Ec2ApiError, ec2Error } from './ec2-api-error.js';
import type { Ec2World } from './ec2-world.js';
import type { ActionHandler } from './query-action.js';
import { QueryNode } from './query-params.js';
import { firstUnknownParameter, isKnownAction } from './query-vocabulary.js';
import { RequestThrottle } from './request-throttle.js';
import { ec2ErrorXml, ec2ResponseXml } from './xml-writer.js';

const HANDLERS: Record<string, ActionHandler> = {
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeSpotPriceHistory: describeSpotPriceHistory,
  DescribeImages: describeImages,
  RegisterImage: registerImage,
  DescribeSecurityGroups: describeSecurityGroups,
  CreateSecurityGroup: createSecurityGroup,
  DescribeKeyPairs: describeKeyPairs,
  ImportKeyPair: importKeyPair,
  CreateKeyPair: createKeyPair,
  DeleteKeyPair: deleteKeyPair,
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  CreateTags: createTags,
  RequestSpotInstances: requestSpotInstances,
  DescribeSpotInstanceRequests: describeSpotInstanceRequests,
  CancelSpotInstanceRequests: cancelSpotInstanceRequests,
};

/** Actions that validate everything before answering DryRunOperation; the others answer it at once. */
const DRY_RUN_AWARE = new Set([
  'RunInstances',
  'RequestSpotInstances',
  'TerminateInstances',
  'CancelSpotInstanceRequests',
]);

const MAX_BODY_BYTES = 1024 * 1024;
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/;

/** Reads the region from the SigV4 credential scope: one endpoint serves every region. */
export function regionFromAuthorization(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials');
  }
  const match = CREDENTIAL_SCOPE.exec(header);
  if (match?.[1] === undefined) {
    throw ec2Error(
      'AuthFailure',
      'AWS was not able to validate the provided access credentials (bad credential scope)',
    );
  }
  return match[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw ec2Error('RequestEntityTooLarge', 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, requestId: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': 'text/xml;charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
}

/** Everything but Action, Version, DryRun and ClientToken, sorted: what an idempotent retry must repeat. */
function fingerprintOf(params: URLSearchParams): string {
  const kept = [...params.entries()].filter(
    ([name]) => !['Action', 'Version', 'DryRun', 'ClientToken'].includes(name),
  );
  return new URLSearchParams(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
}

/**
 * EC2's Query API (form-encoded POST to `/`, XML answers) over a simulated world. Returns false for
 * any other method or path, so other simulators can share the server.
 */
export function createEc2QueryHandler(
  world: Ec2World,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const throttle = new RequestThrottle(world.scenario.throttle);
  return async (req, res) => {
    // Every POST to `/` is EC2's; a body that is not a form simply lacks an Action, as EC2 would see it.
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/') return false;
    const requestId = world.newRequestId();
    try {
      const form = new URLSearchParams(await readBody(req));
      const action = form.get('Action') ?? '';
      const region = regionFromAuthorization(req.headers.authorization);
      world.region(region);
      const fault = world.faults.httpOutcome(region, action);
      if (fault !== undefined) {
        world.events.record('request-failed-by-fault', {
          region,
          action,
          outcome: fault.kind === 'error' ? fault.error.code : 'connection-reset',
        });
        if (fault.kind === 'drop-connection') {
          req.socket.destroy();
          return true;
        }
        throw fault.error;
      }
      const body = dispatch(world, throttle, { action, region, form });
      send(res, 200, requestId, ec2ResponseXml(action, requestId, body));
    } catch (error) {
      const apiError =
        error instanceof Ec2ApiError
          ? error
          : ec2Error(
              'InternalError',
              `An internal error has occurred (${error instanceof Error ? error.message : String(error)})`,
            );
      send(res, apiError.httpStatus, requestId, ec2ErrorXml(apiError.code, apiError.message, requestId));
    }
    return true;
  };
}

function dispatch(
  world: Ec2World,
  throttle: RequestThrottle,
  { action, region, form }: { action: string; region: string; form: URLSearchParams },
) {
  if (action === '') throw ec2Error('MissingAction', 'The request must contain the parameter Action');
  const handler = HANDLERS[action];
  if (handler === undefined || !isKnownAction(action)) {
    throw ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
  const version = form.get('Version');
  if (version !== null && !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    throw ec2Error('NoSuchVersion', `The requested version (${version}) of service AmazonEC2 does not exist`);
  }
  if (world.scenario.throttle.enabled && !throttle.allow(region, action, world.clock.now())) {
    world.events.record('request-throttled', { region, action });
    throw ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
  }
  const unknown = firstUnknownParameter(action, form.keys());
  if (unknown !== undefined) throw ec2Error('UnknownParameter', `The parameter ${unknown} is not recognized`);
  const params = QueryNode.parse(form);
  const dryRun = params.bool('DryRun');
  if (dryRun && !DRY_RUN_AWARE.has(action)) throw dryRunSucceeded();
  return handler({ world, action, region, params, dryRun, fingerprint: fingerprintOf(form) });
}

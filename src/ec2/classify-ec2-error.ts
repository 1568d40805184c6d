import { Ec2Error, type Ec2ErrorKind } from './ec2-port.js';

const KIND_BY_CODE: Readonly<Record<string, Ec2ErrorKind>> = {
  RequestLimitExceeded: 'throttled',
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  RequestThrottled: 'throttled',
  TooManyRequestsException: 'throttled',
  InsufficientInstanceCapacity: 'insufficient-capacity',
  InsufficientCapacity: 'insufficient-capacity',
  InsufficientHostCapacity: 'insufficient-capacity',
  InsufficientAddressCapacity: 'insufficient-capacity',
  InsufficientFreeAddressesInSubnet: 'insufficient-capacity',
  InsufficientVolumeCapacity: 'insufficient-capacity',
  SpotMaxPriceTooLow: 'price-too-low',
  MaxSpotInstanceCountExceeded: 'quota-exceeded',
  InstanceLimitExceeded: 'quota-exceeded',
  VcpuLimitExceeded: 'quota-exceeded',
  // Too many resources in one request, not an account quota: the request is what to change.
  RequestResourceCountExceeded: 'invalid-request',
  InternalError: 'unavailable',
  InternalFailure: 'unavailable',
  ServiceUnavailable: 'unavailable',
  Unavailable: 'unavailable',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/** The one place EC2's error codes become the service's small vocabulary. */
export function classifyEc2Error(error: unknown, region: string, action: string): Ec2Error {
  if (error instanceof Ec2Error) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'UnknownError');
  const message = e.message ?? String(error);
  return new Ec2Error(kindOf(code, e), code, region, action, message);
}

function kindOf(code: string, error: SdkErrorShape): Ec2ErrorKind {
  const known = KIND_BY_CODE[code];
  if (known) return known;
  // "Your requested instance type (…) is not supported in your requested Availability Zone": that pool
  // only. Any other Unsupported (a configuration EC2 does not support) is the definition's.
  if (code === 'Unsupported') {
    return /availability zone/i.test(error.message ?? '') ? 'insufficient-capacity' : 'invalid-request';
  }
  if (code.endsWith('.NotFound')) return 'not-found';
  if (NETWORK_CODES.has(error.code ?? '') || code === 'TimeoutError' || code === 'AbortError')
    return 'unavailable';
  const status = error.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || error.$fault === 'server') return 'unavailable';
  if (
    code.startsWith('Invalid') ||
    code.startsWith('Missing') ||
    code === 'UnknownParameter' ||
    code === 'IdempotentParameterMismatch' ||
    code === 'UnauthorizedOperation' ||
    code === 'AuthFailure'
  ) {
    return 'invalid-request';
  }
  return 'unknown';
}

/** Worth retrying with back-off: the request may succeed if sent again later. */
export function isTransient(error: Ec2Error): boolean {
  return error.kind === 'throttled' || error.kind === 'unavailable';
}

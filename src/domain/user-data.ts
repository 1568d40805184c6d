/**
 * The user data every instance receives (spec §C.4 step 5): what a worker reads to find its worker type,
 * its capacity and the single-use token it redeems with `getSecret`. Pure.
 */
import type { JsonObject } from './worker-type.js';

export interface UserData {
  availabilityZone: string;
  capacity: number;
  /** The merged `userData` of the definition's levels, handed to the worker's own configuration. */
  data: JsonObject;
  instanceType: string;
  /** The definition's `lastModified`, so a worker can notice its definition changed. */
  lastModified: string;
  launchSpecGenerated: string;
  /** Price per utility of the offer (spot or on-demand price ÷ utility); 1 in previews. */
  price: number;
  provisionerBaseUrl: string;
  provisionerId: string;
  region: string;
  securityToken: string;
  /** The maximum price submitted to EC2; null for an on-demand launch, which submits none. */
  spotBid: number | null;
  taskclusterRootUrl: string;
  workerType: string;
}

/** Exactly the keys of the §C.4 table, in the order the original produced them. */
export const USER_DATA_KEYS = [
  'availabilityZone',
  'capacity',
  'data',
  'instanceType',
  'lastModified',
  'launchSpecGenerated',
  'price',
  'provisionerBaseUrl',
  'provisionerId',
  'region',
  'securityToken',
  'spotBid',
  'taskclusterRootUrl',
  'workerType',
] as const satisfies readonly (keyof UserData)[];

/** `launchSpec.UserData`: standard base64 (with padding) of the UTF-8 JSON. */
export function encodeUserData(userData: UserData): string {
  return Buffer.from(JSON.stringify(userData), 'utf8').toString('base64');
}

/** The inverse of `encodeUserData`, as a worker does it; throws on text that is not base64 JSON. */
export function decodeUserData(encoded: string): unknown {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new SyntaxError('user data is not standard base64');
  }
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
}

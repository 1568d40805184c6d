/**
 * JSON schemas of the Pulse message bodies, and their TypeScript shapes. The original worker type message
 * lives with the API's schemas (it is served there already); the newer instance messages live here.
 */
import { workerTypeMessage } from '../api/schemas/other-schemas.js';
import { IDENTIFIER } from '../api/schemas/worker-type-schemas.js';

export interface WorkerTypeMessage {
  workerType: string;
  version: 1;
}

export type Market = 'spot' | 'on-demand';

/** Why the provisioner terminated an instance. */
export type TerminationReason = 'scale-down' | 'rogue' | 'zombie' | 'worker-type-removed';

export const TERMINATION_REASONS: readonly TerminationReason[] = [
  'scale-down',
  'rogue',
  'zombie',
  'worker-type-removed',
];

export interface InstanceLaunchedMessage {
  version: 1;
  workerType: string;
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  market: Market;
  /** USD per hour of the offer the launch was chosen at. */
  price: number;
  /** ISO 8601. */
  launchedAt: string;
}

export interface InstanceTerminatedMessage {
  version: 1;
  workerType: string;
  instanceId: string;
  region: string;
  zone: string;
  instanceType: string;
  market: Market;
  reason: TerminationReason;
  /** ISO 8601: when the provisioner asked EC2 to terminate it. */
  terminatedAt: string;
}

/** Words of a routing key may not contain dots; these patterns also keep them short and plain. */
export const REGION = { type: 'string', pattern: '^[a-z0-9-]{1,32}$' } as const;
const ZONE = { type: 'string', pattern: '^[a-z0-9-]{1,40}$' } as const;
const INSTANCE_ID = { type: 'string', pattern: '^i-[0-9a-f]{8,17}$' } as const;
const INSTANCE_TYPE = { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{0,38}$' } as const;
const MARKET = { enum: ['spot', 'on-demand'] } as const;
const VERSION = { type: 'number', enum: [1] } as const;

const instanceProperties = {
  version: VERSION,
  workerType: { ...IDENTIFIER, description: 'The worker type the instance belongs to.' },
  instanceId: { ...INSTANCE_ID, description: 'The EC2 instance id.' },
  region: { ...REGION, description: 'The AWS region, e.g. `us-west-2`.' },
  zone: { ...ZONE, description: 'The availability zone, e.g. `us-west-2a`.' },
  instanceType: { ...INSTANCE_TYPE, description: 'The EC2 instance type, e.g. `c5.xlarge`.' },
  market: { ...MARKET, description: '`spot` or `on-demand`.' },
} as const;

const INSTANCE_REQUIRED = ['version', 'workerType', 'instanceId', 'region', 'zone', 'instanceType', 'market'];

export const instanceLaunchedMessage = {
  type: 'object',
  title: 'Instance Launched Message',
  description: 'An instance the provisioner launched (EC2 accepted the launch).',
  properties: {
    ...instanceProperties,
    price: { type: 'number', minimum: 0, description: 'USD per hour of the offer the launch was chosen at.' },
    launchedAt: { type: 'string', format: 'date-time', description: 'When EC2 accepted the launch.' },
  },
  required: [...INSTANCE_REQUIRED, 'price', 'launchedAt'],
  additionalProperties: false,
} as const;

export const instanceTerminatedMessage = {
  type: 'object',
  title: 'Instance Terminated Message',
  description: 'An instance the provisioner asked EC2 to terminate, and why.',
  properties: {
    ...instanceProperties,
    reason: {
      enum: TERMINATION_REASONS,
      description: [
        '`scale-down`: surplus capacity that had not started work;',
        '`rogue`: its worker type is unknown to this provisioner;',
        '`zombie`: older than the maximum instance life;',
        '`worker-type-removed`: its worker type was removed.',
      ].join(' '),
    },
    terminatedAt: { type: 'string', format: 'date-time', description: 'When termination was requested.' },
  },
  required: [...INSTANCE_REQUIRED, 'reason', 'terminatedAt'],
  additionalProperties: false,
} as const;

const eventSchemas = {
  'worker-type-message': workerTypeMessage,
  'instance-launched-message': instanceLaunchedMessage,
  'instance-terminated-message': instanceTerminatedMessage,
} as const;

export type EventSchemaName = keyof typeof eventSchemas;

export const EVENT_SCHEMA_NAMES = Object.keys(eventSchemas) as EventSchemaName[];

/** A message schema as a standalone JSON Schema document, addressed like the API's schemas. */
export function eventSchemaDocument(name: EventSchemaName): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `/schemas/aws-provisioner/v1/${name}.json#`,
    ...eventSchemas[name],
  };
}

/**
 * The message schemas the API does not serve yet, by path (for `AppDeps.documents`); the worker type
 * message is already among the API's schemas.
 */
export function eventSchemaDocuments(): Record<string, Record<string, unknown>> {
  const documents: Record<string, Record<string, unknown>> = {};
  for (const name of EVENT_SCHEMA_NAMES) {
    if (name === 'worker-type-message') continue;
    documents[`/schemas/aws-provisioner/v1/${name}.json`] = eventSchemaDocument(name);
  }
  return documents;
}

/**
 * The one registry of Pulse exchanges (spec §E and Part 1 "Events"): what is declared on the broker, what
 * the exchanges reference documents, and what the outbox accepts all come from here.
 */
import type {
  EventSchemaName,
  InstanceLaunchedMessage,
  InstanceTerminatedMessage,
  WorkerTypeMessage,
} from './event-schemas.js';

/** The body each exchange carries. */
export interface EventPayloads {
  'worker-type-created': WorkerTypeMessage;
  'worker-type-updated': WorkerTypeMessage;
  'worker-type-removed': WorkerTypeMessage;
  'instance-launched': InstanceLaunchedMessage;
  'instance-terminated': InstanceTerminatedMessage;
}

export type ExchangeName = keyof EventPayloads;

/** Values of a routing key's non-constant words, by entry name; missing optional words become `_`. */
export type RoutingKeyParts = Readonly<Record<string, string>>;

/** One word (or, for `multipleWords`, several) of a routing key, as Taskcluster's references describe it. */
export interface RoutingKeyEntry {
  name: string;
  summary: string;
  constant?: string;
  multipleWords: boolean;
  required: boolean;
  /** Longest value accepted, in characters. */
  maxSize: number;
}

export interface ExchangeDeclaration<E extends ExchangeName = ExchangeName> {
  exchange: E;
  /** The client's method name. */
  name: string;
  title: string;
  description: string;
  routingKey: readonly RoutingKeyEntry[];
  schema: EventSchemaName;
  /** The routing key words a body implies, so callers cannot make key and body disagree. */
  routingKeyParts(payload: EventPayloads[E]): RoutingKeyParts;
}

/** Taskcluster's `exchangePrefix` after the namespace. */
export const EXCHANGE_PREFIX = 'v1/';

/** `exchange/<namespace>/v1/`: a Pulse user may only declare exchanges under its own name. */
export function exchangePrefix(namespace: string): string {
  return `exchange/${namespace}/${EXCHANGE_PREFIX}`;
}

export function fullExchangeName(namespace: string, exchange: ExchangeName): string {
  return `${exchangePrefix(namespace)}${exchange}`;
}

const ROUTING_KEY_KIND: RoutingKeyEntry = {
  name: 'routingKeyKind',
  summary: "Identifier for the routing-key kind. This is always `'primary'` for the formalized routing key.",
  constant: 'primary',
  multipleWords: false,
  required: true,
  maxSize: 7,
};

const WORKER_TYPE: RoutingKeyEntry = {
  name: 'workerType',
  summary: 'WorkerType that this message concerns.',
  multipleWords: false,
  required: true,
  maxSize: 38,
};

const REGION: RoutingKeyEntry = {
  name: 'region',
  summary: 'AWS region of the instance, e.g. `us-west-2`.',
  multipleWords: false,
  required: true,
  maxSize: 32,
};

const TERMINATION_REASON: RoutingKeyEntry = {
  name: 'reason',
  summary: 'Why it was terminated: `scale-down`, `rogue`, `zombie` or `worker-type-removed`.',
  multipleWords: false,
  required: true,
  maxSize: 32,
};

const RESERVED: RoutingKeyEntry = {
  name: 'reserved',
  summary:
    'Space reserved for future routing-key entries, you should always match this entry with `#`. As automatically done by our tooling, if not specified.',
  multipleWords: true,
  required: false,
  maxSize: 1,
};

const workerTypeKey = [ROUTING_KEY_KIND, WORKER_TYPE, RESERVED];
const byWorkerType = (message: WorkerTypeMessage) => ({ workerType: message.workerType });

const workerTypeCreated: ExchangeDeclaration<'worker-type-created'> = {
  exchange: 'worker-type-created',
  name: 'workerTypeCreated',
  title: 'WorkerType Created Message',
  description:
    'When a new `workerType` is created a message will be published to this exchange (also when an identical one is created again).',
  routingKey: workerTypeKey,
  schema: 'worker-type-message',
  routingKeyParts: byWorkerType,
};

const workerTypeUpdated: ExchangeDeclaration<'worker-type-updated'> = {
  exchange: 'worker-type-updated',
  name: 'workerTypeUpdated',
  title: 'WorkerType Updated Message',
  description:
    'When a `workerType` is updated (or rolled back to an earlier version) a message will be published to this exchange.',
  routingKey: workerTypeKey,
  schema: 'worker-type-message',
  routingKeyParts: byWorkerType,
};

const workerTypeRemoved: ExchangeDeclaration<'worker-type-removed'> = {
  exchange: 'worker-type-removed',
  name: 'workerTypeRemoved',
  title: 'WorkerType Removed Message',
  description: 'When a `workerType` is removed a message will be published to this exchange.',
  routingKey: workerTypeKey,
  schema: 'worker-type-message',
  routingKeyParts: byWorkerType,
};

const instanceLaunched: ExchangeDeclaration<'instance-launched'> = {
  exchange: 'instance-launched',
  name: 'instanceLaunched',
  title: 'Instance Launched Message',
  description:
    'When the provisioner has launched an EC2 instance for a `workerType` (EC2 accepted the launch) a message is published to this exchange, with where, what and at which price.',
  routingKey: [ROUTING_KEY_KIND, WORKER_TYPE, REGION, RESERVED],
  schema: 'instance-launched-message',
  routingKeyParts: (message) => ({ workerType: message.workerType, region: message.region }),
};

const instanceTerminated: ExchangeDeclaration<'instance-terminated'> = {
  exchange: 'instance-terminated',
  name: 'instanceTerminated',
  title: 'Instance Terminated Message',
  description:
    'When the provisioner has asked EC2 to terminate an instance a message is published to this exchange, with the reason: surplus capacity (`scale-down`), unknown worker type (`rogue`), too old (`zombie`) or its worker type was removed (`worker-type-removed`). Instances that end by themselves are not announced.',
  routingKey: [ROUTING_KEY_KIND, WORKER_TYPE, REGION, TERMINATION_REASON, RESERVED],
  schema: 'instance-terminated-message',
  routingKeyParts: (message) => ({
    workerType: message.workerType,
    region: message.region,
    reason: message.reason,
  }),
};

/** Every exchange, in reference order. */
export const EXCHANGES: { readonly [E in ExchangeName]: ExchangeDeclaration<E> } = {
  'worker-type-created': workerTypeCreated,
  'worker-type-updated': workerTypeUpdated,
  'worker-type-removed': workerTypeRemoved,
  'instance-launched': instanceLaunched,
  'instance-terminated': instanceTerminated,
};

export const EXCHANGE_NAMES = Object.keys(EXCHANGES) as ExchangeName[];

export function isExchangeName(name: string): name is ExchangeName {
  return Object.hasOwn(EXCHANGES, name);
}

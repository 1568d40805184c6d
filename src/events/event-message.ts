import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EVENT_SCHEMA_NAMES, type EventSchemaName, eventSchemaDocument } from './event-schemas.js';
import {
  type EventPayloads,
  EXCHANGES,
  type ExchangeName,
  isExchangeName,
  type RoutingKeyEntry,
  type RoutingKeyParts,
} from './exchanges.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** AMQP's limit on a routing key (a short string). */
const MAX_ROUTING_KEY_BYTES = 255;

/** A message that cannot be published as asked: a programming error, never the client's. */
export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'InvalidEventError';
  }
}

/** What goes into the outbox: the short exchange name (the namespace is the publisher's). */
export interface EventMessage<E extends ExchangeName = ExchangeName> {
  exchange: E;
  routingKey: string;
  payload: EventPayloads[E];
}

let validators: Map<EventSchemaName, ValidateFunction> | undefined;

function validator(name: EventSchemaName): ValidateFunction {
  if (!validators) {
    const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
    validators = new Map(EVENT_SCHEMA_NAMES.map((n) => [n, ajv.compile(eventSchemaDocument(n))]));
  }
  return validators.get(name) as ValidateFunction;
}

/** Problems with `payload` as a body of `exchange`; empty when it is valid. */
export function payloadProblems(exchange: ExchangeName, payload: unknown): string[] {
  const validate = validator(EXCHANGES[exchange].schema);
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || 'body'} ${e.message ?? e.keyword}`);
}

function routingKeyWord(entry: RoutingKeyEntry, parts: RoutingKeyParts, problems: string[]): string {
  if (entry.constant !== undefined) return entry.constant;
  const value = parts[entry.name];
  if (value === undefined || value === '') {
    if (entry.required) problems.push(`routing key word ${entry.name} is required`);
    return '_';
  }
  if (value.length > entry.maxSize)
    problems.push(`routing key word ${entry.name} is over ${entry.maxSize} characters`);
  if (!entry.multipleWords && value.includes('.'))
    problems.push(`routing key word ${entry.name} contains a dot`);
  return value;
}

/** The routing key of `exchange` from its words, constants filled in and missing optional words as `_`. */
export function routingKey(exchange: ExchangeName, parts: RoutingKeyParts): string {
  const problems: string[] = [];
  const declaration = EXCHANGES[exchange];
  const known = new Set(declaration.routingKey.map((entry) => entry.name));
  for (const name of Object.keys(parts)) {
    if (!known.has(name)) problems.push(`routing key of ${exchange} has no word ${name}`);
  }
  const key = declaration.routingKey.map((entry) => routingKeyWord(entry, parts, problems)).join('.');
  if (Buffer.byteLength(key) > MAX_ROUTING_KEY_BYTES) problems.push('routing key is over 255 bytes');
  if (problems.length > 0) throw new InvalidEventError(`invalid routing key for ${exchange}`, problems);
  return key;
}

/** Checks a message completely before it may enter the outbox; throws `InvalidEventError` if it is bad. */
export function prepareMessage<E extends ExchangeName>(
  exchange: E,
  parts: RoutingKeyParts,
  payload: EventPayloads[E],
): EventMessage<E> {
  if (!isExchangeName(exchange)) throw new InvalidEventError(`no exchange named ${String(exchange)}`);
  const problems = payloadProblems(exchange, payload);
  if (problems.length > 0) throw new InvalidEventError(`invalid ${exchange} message`, problems);
  return { exchange, routingKey: routingKey(exchange, parts), payload };
}

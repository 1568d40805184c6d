import { EXCHANGE_NAMES, EXCHANGES, exchangePrefix } from './exchanges.js';

/** Where the composition root serves the reference (spec Part 1 "Wire compatibility"). */
export const EXCHANGES_REFERENCE_PATH = '/references/aws-provisioner/v1/exchanges.json';

export const EXCHANGES_TITLE = 'AWS Provisioner Pulse Exchanges';

export const EXCHANGES_DESCRIPTION = [
  'Exchanges from the provisioner: a message when a worker type is created, updated or removed, and when',
  'the provisioner launches or terminates an instance.',
  '',
  'Every routing key starts with the constant `primary`, then the worker type; bind `primary.<workerType>.#`',
  'to follow one worker type. Messages are published after the change is committed, through an outbox,',
  'so a broker outage delays them but does not lose them. Delivery is **at-least-once**: after a',
  'connection failure a message may arrive twice (with the same `messageId`); consumers should be',
  'idempotent. Messages about one worker type arrive in the order the changes were made (the first',
  'arrival of each `messageId` follows that order).',
].join('\n');

/** Taskcluster's exchanges reference (exchanges-reference-v0), generated from the exchange registry. */
export function exchangesReference(namespace: string): Record<string, unknown> {
  return {
    $schema: '/schemas/common/exchanges-reference-v0.json#',
    apiVersion: 'v1',
    serviceName: 'aws-provisioner',
    title: EXCHANGES_TITLE,
    description: EXCHANGES_DESCRIPTION,
    exchangePrefix: exchangePrefix(namespace),
    entries: EXCHANGE_NAMES.map((name) => {
      const declaration = EXCHANGES[name];
      return {
        type: 'topic-exchange',
        exchange: declaration.exchange,
        name: declaration.name,
        title: declaration.title,
        description: declaration.description,
        routingKey: declaration.routingKey.map((entry) => ({
          name: entry.name,
          summary: entry.summary,
          ...(entry.constant !== undefined ? { constant: entry.constant } : {}),
          multipleWords: entry.multipleWords,
          required: entry.required,
        })),
        schema: `v1/${declaration.schema}.json#`,
      };
    }),
  };
}

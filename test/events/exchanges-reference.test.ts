import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMA_NAMES,
  eventSchemaDocument,
  eventSchemaDocuments,
} from '../../src/events/event-schemas.js';
import { EXCHANGE_NAMES } from '../../src/events/exchanges.js';
import { exchangesReference } from '../../src/events/exchanges-reference.js';

interface Entry {
  type: string;
  exchange: string;
  name: string;
  title: string;
  description: string;
  schema: string;
  routingKey: {
    name: string;
    summary: string;
    constant?: string;
    multipleWords: boolean;
    required: boolean;
  }[];
}

describe('exchangesReference', () => {
  const reference = exchangesReference('taskcluster-aws-provisioner');
  const entries = reference.entries as Entry[];

  it('has the original header and prefix', () => {
    expect(reference).toMatchObject({
      $schema: '/schemas/common/exchanges-reference-v0.json#',
      apiVersion: 'v1',
      serviceName: 'aws-provisioner',
      title: 'AWS Provisioner Pulse Exchanges',
      exchangePrefix: 'exchange/taskcluster-aws-provisioner/v1/',
    });
    expect(exchangesReference('other-user').exchangePrefix).toBe('exchange/other-user/v1/');
  });

  it('declares the original three worker type exchanges exactly as Taskcluster did', () => {
    const original = entries.filter((e) => e.exchange.startsWith('worker-type-'));
    expect(original.map((e) => [e.exchange, e.name])).toEqual([
      ['worker-type-created', 'workerTypeCreated'],
      ['worker-type-updated', 'workerTypeUpdated'],
      ['worker-type-removed', 'workerTypeRemoved'],
    ]);
    for (const entry of original) {
      expect(entry.type).toBe('topic-exchange');
      expect(entry.schema).toBe('v1/worker-type-message.json#');
      expect(entry.routingKey.map((k) => [k.name, k.constant, k.multipleWords, k.required])).toEqual([
        ['routingKeyKind', 'primary', false, true],
        ['workerType', undefined, false, true],
        ['reserved', undefined, true, false],
      ]);
    }
  });

  it('lists every registered exchange, each with a served schema, title and description', () => {
    expect(entries.map((e) => e.exchange)).toEqual(EXCHANGE_NAMES);
    expect(entries.map((e) => e.exchange)).toEqual(
      expect.arrayContaining(['instance-launched', 'instance-terminated']),
    );
    for (const entry of entries) {
      expect(EVENT_SCHEMA_NAMES.map((n) => `v1/${n}.json#`)).toContain(entry.schema);
      expect(entry.title).not.toBe('');
      expect(entry.description).not.toBe('');
      expect(entry.routingKey[0]?.constant).toBe('primary');
      expect(entry.routingKey.at(-1)?.name).toBe('reserved');
      for (const key of entry.routingKey) expect(Object.keys(key)).not.toContain('maxSize');
    }
  });

  it('serves compilable schemas for the new messages', () => {
    const documents = eventSchemaDocuments();
    expect(Object.keys(documents).sort()).toEqual([
      '/schemas/aws-provisioner/v1/instance-launched-message.json',
      '/schemas/aws-provisioner/v1/instance-terminated-message.json',
    ]);
    const ajv = new Ajv({ strict: false, validateFormats: false });
    for (const name of EVENT_SCHEMA_NAMES) {
      expect(() => ajv.compile(eventSchemaDocument(name))).not.toThrow();
      expect(eventSchemaDocument(name).$id).toBe(`/schemas/aws-provisioner/v1/${name}.json#`);
    }
  });
});

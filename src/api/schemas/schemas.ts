import {
  backendStatusResponse,
  createSecretRequest,
  getSecretResponse,
  pingResponse,
  rollbackWorkerTypeRequest,
  workerTypeMessage,
  workerTypeVersionsResponse,
} from './other-schemas.js';
import {
  createWorkerTypeRequest,
  getLaunchSpecsResponse,
  getWorkerTypeLastModified,
  getWorkerTypeResponse,
  listWorkerTypeSummariesResponse,
  listWorkerTypesResponse,
} from './worker-type-schemas.js';

/** Every schema the service validates with, by file name (served as `/schemas/aws-provisioner/v1/<name>.json`). */
const registry = {
  'create-worker-type-request': createWorkerTypeRequest,
  'get-worker-type-response': getWorkerTypeResponse,
  'get-worker-type-last-modified': getWorkerTypeLastModified,
  'list-worker-types-response': listWorkerTypesResponse,
  'list-worker-types-summaries-response': listWorkerTypeSummariesResponse,
  'get-launch-specs-response': getLaunchSpecsResponse,
  'create-secret-request': createSecretRequest,
  'get-secret-response': getSecretResponse,
  'backend-status-response': backendStatusResponse,
  'ping-response': pingResponse,
  'worker-type-versions-response': workerTypeVersionsResponse,
  'rollback-worker-type-request': rollbackWorkerTypeRequest,
  'worker-type-message': workerTypeMessage,
} as const;

export type SchemaName = keyof typeof registry;

export const SCHEMA_NAMES = Object.keys(registry) as SchemaName[];

/** Path of a schema relative to the service root, as references name it. */
export function schemaPath(name: SchemaName): string {
  return `/schemas/aws-provisioner/v1/${name}.json`;
}

/** The schema as a standalone JSON Schema document. */
export function schemaDocument(name: SchemaName): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${schemaPath(name)}#`,
    ...registry[name],
  };
}

export function isSchemaName(name: string): name is SchemaName {
  return Object.hasOwn(registry, name);
}

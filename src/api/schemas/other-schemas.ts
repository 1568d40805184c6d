/** JSON schemas of secrets, status, history and events. */
import { IDENTIFIER } from './worker-type-schemas.js';

const SCOPE = { type: 'string', pattern: '^[\\x20-\\x7e]*$' } as const;

export const createSecretRequest = {
  type: 'object',
  title: 'Create Secret Request',
  properties: {
    workerType: { ...IDENTIFIER, description: 'The worker type the secret is for.' },
    secrets: { type: 'object', description: 'Free-form secret data, returned once by getSecret.' },
    scopes: { type: 'array', items: SCOPE, description: 'Informational; returned by getSecret.' },
    token: { type: 'string', minLength: 1, description: 'The slugid that addresses this secret.' },
    expiration: {
      type: 'string',
      format: 'date-time',
      description: 'After this the secret cannot be fetched.',
    },
  },
  required: ['workerType', 'secrets', 'scopes', 'token', 'expiration'],
  additionalProperties: false,
} as const;

export const getSecretResponse = {
  type: 'object',
  title: 'Get Secret Response',
  properties: {
    data: { type: 'object', description: 'The stored secret data.' },
    scopes: { type: 'array', items: SCOPE, description: 'The stored scopes (informational).' },
    credentials: {
      type: 'object',
      description: 'Temporary Taskcluster credentials for the worker.',
      properties: {
        clientId: { type: 'string' },
        accessToken: { type: 'string' },
        certificate: { type: 'string' },
      },
      required: ['clientId', 'accessToken', 'certificate'],
      additionalProperties: false,
    },
  },
  required: ['data', 'scopes', 'credentials'],
  additionalProperties: false,
} as const;

export const backendStatusResponse = {
  type: 'object',
  title: 'Backend Status Response',
  description: 'The provisioning loop of this service: its status and when it last completed an iteration.',
  properties: {
    status: { type: 'string', description: '`healthy`, `failing`, `stale` or `pending` (no iteration yet).' },
    lastCheckedIn: {
      anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
      description: 'When the loop last completed an iteration (null before the first).',
    },
    lastIterationStarted: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    lastError: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['status', 'lastCheckedIn'],
  additionalProperties: false,
} as const;

export const pingResponse = {
  type: 'object',
  properties: { alive: { type: 'boolean' }, uptime: { type: 'number' } },
  required: ['alive', 'uptime'],
  additionalProperties: false,
} as const;

export const workerTypeVersionsResponse = {
  type: 'object',
  title: 'Worker Type Versions Response',
  properties: {
    workerType: IDENTIFIER,
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          version: { type: 'integer', minimum: 1, description: 'Increases with every change.' },
          action: { enum: ['create', 'update', 'remove', 'rollback'] },
          changedBy: { type: 'string', description: 'The clientId that made the change.' },
          changedAt: { type: 'string', format: 'date-time' },
          lastModified: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
          definition: { anyOf: [{ type: 'object' }, { type: 'null' }], description: 'null for removals.' },
        },
        required: ['version', 'action', 'changedBy', 'changedAt', 'lastModified', 'definition'],
        additionalProperties: false,
      },
    },
  },
  required: ['workerType', 'versions'],
  additionalProperties: false,
} as const;

export const rollbackWorkerTypeRequest = {
  type: 'object',
  title: 'Rollback Worker Type Request',
  properties: {
    version: { type: 'integer', minimum: 1, description: 'The version whose definition to restore.' },
  },
  required: ['version'],
  additionalProperties: false,
} as const;

export const workerTypeMessage = {
  type: 'object',
  title: 'Worker Type Message',
  properties: { workerType: IDENTIFIER, version: { type: 'number', enum: [1] } },
  required: ['workerType', 'version'],
  additionalProperties: false,
} as const;

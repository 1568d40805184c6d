import { randomUUID } from 'node:crypto';
import { type ErrorCode, ProvisionerError } from '../errors.js';

/** The one map from the error vocabulary to HTTP status codes. */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  MalformedPayload: 400,
  InvalidRequestArguments: 400,
  InputValidationError: 400,
  InputError: 400,
  AuthenticationFailed: 401,
  InsufficientScopes: 403,
  ResourceNotFound: 404,
  RequestConflict: 409,
  ResourceExpired: 410,
  InputTooLarge: 413,
  ServiceUnavailable: 503,
  InternalServerError: 500,
};

/** Keys whose values are credentials or secrets: never echoed back in `requestInfo`. */
const REDACTED_KEYS = new Set([
  'token',
  'secrets',
  'accessToken',
  'credentials',
  'certificate',
  'securityToken',
]);

export interface ErrorReply {
  status: number;
  body: Record<string, unknown>;
  /** The incident id of an unexpected error, to find its log entry. */
  incidentId?: string;
}

export interface RequestInfo {
  method: string;
  params: Record<string, string>;
  payload: unknown;
  time: Date;
}

/**
 * Taskcluster's error body (spec §A.5) plus the legacy keys some original endpoints sent.
 * Anything that is not a ProvisionerError becomes a 500 with an incident id and a generic message.
 */
export function errorReply(error: unknown, info: RequestInfo): ErrorReply {
  const known = error instanceof ProvisionerError;
  const code: ErrorCode = known ? error.code : 'InternalServerError';
  const status = STATUS_OF[code];
  const incidentId = known ? undefined : randomUUID();
  const text = known ? error.message : `Internal Server Error, incidentId: ${incidentId}`;
  const time = info.time.toISOString();
  const message = [
    text,
    '',
    '---',
    '',
    `* method:     ${info.method}`,
    `* errorCode:  ${code}`,
    `* statusCode: ${status}`,
    `* time:       ${time}`,
  ].join('\n');
  const body: Record<string, unknown> = {
    ...(known ? error.legacy : {}),
    code,
    message,
    requestInfo: { method: info.method, params: redact(info.params), payload: redact(info.payload), time },
  };
  return { status, body, ...(incidentId ? { incidentId } : {}) };
}

function redact<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) copy[key] = REDACTED_KEYS.has(key) ? '<redacted>' : inner;
  return copy as T;
}

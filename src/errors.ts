/**
 * The one error vocabulary of the service. Codes are Taskcluster's; the API maps each to an HTTP status
 * in one place (`src/api/error-reply.ts`). Messages must never contain secrets or access tokens.
 */
export type ErrorCode =
  | 'MalformedPayload'
  | 'InvalidRequestArguments'
  | 'InputValidationError'
  | 'InputError'
  | 'AuthenticationFailed'
  | 'InsufficientScopes'
  | 'ResourceNotFound'
  | 'RequestConflict'
  | 'ResourceExpired'
  | 'InputTooLarge'
  | 'ServiceUnavailable'
  | 'InternalServerError';

export class ProvisionerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra keys some original endpoints sent (`error`, `msg`); kept for old clients. */
    readonly legacy: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export class NotFoundError extends ProvisionerError {
  constructor(message: string, legacy?: Record<string, string>) {
    super('ResourceNotFound', message, legacy);
  }
}

export class ConflictError extends ProvisionerError {
  constructor(message: string, legacy?: Record<string, string>) {
    super('RequestConflict', message, legacy);
  }
}

/** Input that is well-formed but cannot be accepted; `reasons` name each problem and where it is. */
export class InvalidInputError extends ProvisionerError {
  constructor(
    message: string,
    readonly reasons: readonly string[] = [],
  ) {
    super('InputError', message);
  }
}

/** A dependency (EC2, the queue) could not answer; nothing was changed. */
export class UnavailableError extends ProvisionerError {
  constructor(message: string) {
    super('ServiceUnavailable', message);
  }
}

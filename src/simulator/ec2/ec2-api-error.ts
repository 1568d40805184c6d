/** An error the simulated EC2 answers with: EC2's own code, message and HTTP status. */
export class Ec2ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** HTTP statuses EC2 uses for codes that are not plain client errors (400). */
const STATUS_BY_CODE: Record<string, number> = {
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  DryRunOperation: 412,
  RequestLimitExceeded: 503,
  InternalError: 500,
  InternalFailure: 500,
  Unavailable: 503,
  ServiceUnavailable: 503,
};

export function ec2Error(code: string, message: string): Ec2ApiError {
  return new Ec2ApiError(code, message, STATUS_BY_CODE[code] ?? 400);
}

export function missingParameter(name: string): Ec2ApiError {
  return ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidValue(name: string, value: string, why?: string): Ec2ApiError {
  return ec2Error('InvalidParameterValue', `Invalid value '${value}' for ${name}${why ? `. ${why}` : '.'}`);
}

export function dryRunSucceeded(): Ec2ApiError {
  return ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
}

/** `InvalidXxxID.Malformed` unless `id` has the resource's prefix and hex body. */
export function checkIdFormat(id: string, prefix: string, code: string): void {
  if (!new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id)) {
    throw ec2Error(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
  }
}

export function instancesNotFound(ids: readonly string[]): Ec2ApiError {
  return ids.length === 1
    ? ec2Error('InvalidInstanceID.NotFound', `The instance ID '${ids[0]}' does not exist`)
    : ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${ids.join(', ')}' do not exist`);
}

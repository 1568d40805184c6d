import { ProvisionerError } from '../../errors.js';

/**
 * The one way authentication fails (401). Callers must word `message` so it names the problem without
 * quoting an access token, MAC, certificate signature or seed.
 */
export function authenticationFailed(message: string): ProvisionerError {
  return new ProvisionerError('AuthenticationFailed', message);
}

export function isAuthenticationFailure(error: unknown): error is ProvisionerError {
  return error instanceof ProvisionerError && error.code === 'AuthenticationFailed';
}

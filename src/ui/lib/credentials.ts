/** What sign-in accepts: Taskcluster credentials, permanent or temporary (with their certificate). */
export interface SignInCredentials {
  clientId: string;
  accessToken: string;
  certificate?: string;
}

export interface CredentialsInput {
  clientId: string;
  accessToken: string;
  /** Empty for permanent credentials. */
  certificate: string;
}

/** The credentials typed in, or what is wrong with them. */
export function credentialsFrom(input: CredentialsInput, now = Date.now()): SignInCredentials | string {
  const [clientId, accessToken, certificate] = [
    input.clientId.trim(),
    input.accessToken.trim(),
    input.certificate.trim(),
  ];
  if (!clientId || !accessToken) return 'Enter both a client ID and an access token';
  const problem = certificateProblem(certificate, now);
  if (problem) return problem;
  return { clientId, accessToken, ...(certificate ? { certificate } : {}) };
}

/** Checks a certificate of temporary credentials: JSON with an expiry in the future. */
export function certificateProblem(text: string, now = Date.now()): string | null {
  if (text.trim() === '') return null;
  let certificate: { expiry?: unknown };
  try {
    certificate = JSON.parse(text) as { expiry?: unknown };
  } catch {
    return 'The certificate must be the JSON text of the temporary credentials’ certificate';
  }
  if (typeof certificate.expiry === 'number' && certificate.expiry < now) {
    return `These temporary credentials expired at ${new Date(certificate.expiry).toISOString()}`;
  }
  return null;
}

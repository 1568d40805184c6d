import type {
  ClientError,
  ClientInstance,
  Credentials,
  Reference,
  ReferenceEntry,
} from 'taskcluster-client-web';
import Client from 'taskcluster-client-web/src/Client.js';
import { messageText } from '../lib/api-errors.js';
import { sharedUntilFailure } from '../lib/shared-until-failure.js';

/** The service's API on this origin; its reference drives the client, as Taskcluster's clients do. */
const REFERENCE_URL = '/api/aws-provisioner/v1/api-reference';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    /** The full message, as the API sent it (with its request details). */
    readonly rawMessage: string,
  ) {
    super(message);
  }
}

/** The API reference, fetched once (again after a failure: a 502 during a restart must not stick). */
export const loadReference = sharedUntilFailure(() =>
  fetch(REFERENCE_URL).then(async (response) => {
    if (!response.ok)
      throw new ApiError(
        `Could not load the API reference (${response.status})`,
        'Unavailable',
        response.status,
        '',
      );
    return (await response.json()) as Reference;
  }),
);

type ProvisionerClass = new (options: {
  rootUrl: string;
  credentials?: Credentials | null;
  retries?: number;
}) => ClientInstance;

const loadClientClass = sharedUntilFailure(
  (): Promise<ProvisionerClass> => loadReference().then((ref) => Client.create(ref)),
);

function toApiError(error: unknown): ApiError {
  const failure = error as ClientError;
  const raw = failure.body?.message ?? failure.message ?? String(error);
  const status = failure.response?.status ?? 0;
  const code = failure.body?.code ?? (status === 0 ? 'NetworkError' : `HTTP ${status}`);
  return new ApiError(messageText(raw) || `Request failed (${code})`, code, status, raw);
}

/**
 * Calls an API method by its reference name: URL arguments, then the payload for methods with input, then
 * query options. Signed (Hawk, by taskcluster-client-web) when credentials are given; reads need none.
 */
export async function call<T>(name: string, args: unknown[], credentials?: Credentials | null): Promise<T> {
  const Provisioner = await loadClientClass();
  const client = new Provisioner({
    rootUrl: window.location.origin,
    credentials: credentials ?? null,
    retries: 1,
  });
  const method = client[name];
  if (!method) throw new ApiError(`This server has no ${name} method`, 'NotSupported', 404, '');
  try {
    return (await method.apply(client, args)) as T;
  } catch (error) {
    throw toApiError(error);
  }
}

/** The reference entry with this route (e.g. an endpoint another release may not have yet). */
export async function findEntry(route: string): Promise<ReferenceEntry | undefined> {
  return (await loadReference()).entries.find((entry) => entry.type === 'function' && entry.route === route);
}

/** The sandbox's root credentials, when this server is a sandbox that offers them. */
export async function sandboxCredentials(): Promise<Credentials | undefined> {
  try {
    const response = await fetch('/ui/sandbox-credentials');
    if (!response.ok) return undefined;
    const body = (await response.json()) as Partial<Credentials>;
    return body.clientId && body.accessToken
      ? { clientId: body.clientId, accessToken: body.accessToken }
      : undefined;
  } catch {
    return undefined;
  }
}

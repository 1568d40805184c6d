// The part of taskcluster-client-web (untyped JavaScript) the admin UI uses.
declare module 'taskcluster-client-web' {
  export interface Credentials {
    clientId: string;
    accessToken: string;
    /** Temporary credentials: the certificate, as JSON text or parsed. */
    certificate?: string | Record<string, unknown>;
  }

  export interface ClientOptions {
    rootUrl: string;
    credentials?: Credentials | null;
    retries?: number;
    timeout?: number;
  }

  export interface ReferenceEntry {
    type: string;
    name: string;
    route: string;
    method: string;
    args: string[];
    query?: string[];
    input?: string;
    scopes?: unknown;
  }

  export interface Reference {
    serviceName: string;
    entries: ReferenceEntry[];
  }

  /** Methods named after the reference's entries: URL arguments, then the payload, then query options. */
  export type ClientInstance = Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;

  /** Rejections carry the parsed error body (`code`, `message`) and the response. */
  export interface ClientError extends Error {
    body?: { code?: string; message?: string };
    response?: { status: number };
  }

  export const Client: {
    create(reference: Reference): new (options: ClientOptions) => ClientInstance;
  };
}

/** The client class alone: the package's index also loads every Taskcluster service's client and all of crypto-js. */
declare module 'taskcluster-client-web/src/Client.js' {
  export { Client as default } from 'taskcluster-client-web';
}

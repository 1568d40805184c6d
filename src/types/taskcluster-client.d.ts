// The parts of taskcluster-client@16 (CommonJS, untyped) this service uses.
declare module 'taskcluster-client' {
  export interface TaskclusterCredentials {
    clientId: string;
    accessToken: string;
    certificate?: string;
  }

  export interface TemporaryCredentialOptions {
    start: Date;
    expiry: Date;
    scopes: string[];
    credentials: { clientId: string; accessToken: string };
    clientId?: string;
  }

  export interface ClientOptions {
    rootUrl: string;
    credentials?: TaskclusterCredentials;
    authorizedScopes?: string[];
    retries?: number;
    timeout?: number;
  }

  export class Queue {
    constructor(options: ClientOptions);
    pendingTasks(
      provisionerId: string,
      workerType: string,
    ): Promise<{ provisionerId: string; workerType: string; pendingTasks: number }>;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the API client's methods are generated from its reference.
  export type AwsProvisionerClient = Record<string, (...args: any[]) => Promise<any>> & {
    buildSignedUrl(method: unknown, ...args: unknown[]): string;
  };
  export const AwsProvisioner: new (options: ClientOptions) => AwsProvisionerClient;

  export function createTemporaryCredentials(
    options: TemporaryCredentialOptions,
  ): Required<TaskclusterCredentials>;

  const taskcluster: {
    Queue: typeof Queue;
    AwsProvisioner: typeof AwsProvisioner;
    createTemporaryCredentials: typeof createTemporaryCredentials;
  };
  export default taskcluster;
}

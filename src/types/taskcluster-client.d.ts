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
    /** Options of an http(s).Agent of the client's own; without it, a shared agent without keep-alive. */
    agent?: import('node:http').AgentOptions;
  }

  export class Queue {
    constructor(options: ClientOptions);
    pendingTasks(
      provisionerId: string,
      workerType: string,
    ): Promise<{ provisionerId: string; workerType: string; pendingTasks: number }>;
  }

  // biome-ignore lint/suspicious/noExplicitAny: replies are checked by the tests that use them.
  type Call = (...args: any[]) => Promise<any>;
  /** The v1 methods (as in the 16.2.0 reference) plus those a client built from this service's reference has. */
  export interface AwsProvisionerClient {
    listWorkerTypeSummaries: Call;
    createWorkerType: Call;
    updateWorkerType: Call;
    workerTypeLastModified: Call;
    workerType: Call;
    removeWorkerType: Call;
    listWorkerTypes: Call;
    createSecret: Call;
    getSecret: Call;
    instanceStarted: Call;
    removeSecret: Call;
    getLaunchSpecs: Call;
    state: Call;
    backendStatus: Call;
    ping: Call;
    workerTypeVersions: Call;
    rollbackWorkerType: Call;
    buildSignedUrl(method: unknown, ...args: unknown[]): string;
  }
  export const AwsProvisioner: new (options: ClientOptions) => AwsProvisionerClient;

  export function createClient(
    reference: unknown,
    name?: string,
  ): new (
    options: ClientOptions,
  ) => AwsProvisionerClient;

  export function createTemporaryCredentials(
    options: TemporaryCredentialOptions,
  ): Required<TaskclusterCredentials>;

  const taskcluster: {
    Queue: typeof Queue;
    AwsProvisioner: typeof AwsProvisioner;
    createTemporaryCredentials: typeof createTemporaryCredentials;
    createClient: typeof createClient;
  };
  export default taskcluster;
}

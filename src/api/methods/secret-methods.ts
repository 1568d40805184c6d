import type { SecretService } from '../../services/secret-service.js';
import type { ApiMethod } from '../api-method.js';

interface CreateSecretBody {
  workerType: string;
  secrets: Record<string, unknown>;
  scopes: string[];
  token: string;
  expiration: string;
}

/** The published API reference lists the methods in this order. */
export function secretMethods(secrets: SecretService): ApiMethod[] {
  return [
    createSecretMethod(secrets),
    getSecretMethod(secrets),
    instanceStartedMethod(secrets),
    removeSecretMethod(secrets),
  ];
}

function createSecretMethod(secrets: SecretService): ApiMethod {
  return {
    name: 'createSecret',
    title: 'Create new Secret',
    description:
      'Store a secret under a slugid token, retrievable once with `getSecret` until `expiration`. Needs ' +
      "`aws-provisioner:create-secret:<workerType>` for the body's worker type. The same secret again succeeds; " +
      'a different one under the same token is a 409. The loop creates its secrets itself.',
    stability: 'stable',
    method: 'put',
    route: '/secret/<token>',
    scopes: 'aws-provisioner:create-secret:<workerType>',
    input: 'create-secret-request',
    handler: async ({ params, body, authorize }) => {
      const secret = body as CreateSecretBody;
      await authorize(`aws-provisioner:create-secret:${secret.workerType}`);
      await secrets.create(params.token as string, secret);
      return { status: 200, body: { outcome: 'success' } };
    },
  };
}

function getSecretMethod(secrets: SecretService): ApiMethod {
  return {
    name: 'getSecret',
    title: 'Get a Secret',
    description:
      'Redeem the secret of a token, once: its data, and temporary Taskcluster credentials for the worker ' +
      '(`assume:worker-type:<provisionerId>/<workerType>` and `assume:worker-id:*`; when the loop launched the ' +
      "instance, also the worker type's scopes merged with those of its region and instance type), " +
      "signed with the provisioner's own credentials. 404 when the token is unknown, expired or already used. " +
      'Possession of the token is the credential: no scopes needed.',
    stability: 'stable',
    method: 'get',
    route: '/secret/<token>',
    changesState: true,
    output: 'get-secret-response',
    handler: async ({ params }) => ({ status: 200, body: await secrets.redeem(params.token as string) }),
  };
}

function instanceStartedMethod(secrets: SecretService): ApiMethod {
  return {
    name: 'instanceStarted',
    title: 'Report an instance starting',
    description:
      'An instance reports that it started, with the token from its user data (before or after `getSecret`). ' +
      '204 when the token was issued by this service and has not expired, 404 otherwise. A token records ' +
      'one instance, the first to report with it.',
    stability: 'stable',
    method: 'get',
    route: '/instance-started/<instanceId>/<token>',
    handler: async ({ params }) => {
      // 204 also when the token already recorded another instance (nothing is recorded then): as spec
      // §B.10, the answer says only that the token is known; a worker retrying gets the same answer.
      await secrets.instanceStarted(params.instanceId as string, params.token as string);
      return { status: 204 };
    },
  };
}

function removeSecretMethod(secrets: SecretService): ApiMethod {
  return {
    name: 'removeSecret',
    title: 'Remove a Secret',
    description: 'Make a secret unredeemable (workers call it after `getSecret`). Idempotent: always 204.',
    stability: 'stable',
    method: 'delete',
    route: '/secret/<token>',
    handler: async ({ params }) => {
      await secrets.remove(params.token as string);
      return { status: 204 };
    },
  };
}

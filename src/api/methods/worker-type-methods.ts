import { grantedScopes, type WorkerTypeDefinition } from '../../domain/worker-type.js';
import type { StatusService } from '../../services/status-service.js';
import type { WorkerTypeService } from '../../services/worker-type-service.js';
import type { ApiMethod, Caller } from '../api-method.js';

const MANAGE = 'aws-provisioner:manage-worker-type:<workerType>';

/** Who a change is recorded against in the worker type's history. */
function changedBy(caller: Caller): string {
  return caller.clientId ?? 'anonymous';
}

/** Whoever defines a worker type must hold every scope it hands its workers (no privilege escalation). */
function manageExpression(name: string, definition: WorkerTypeDefinition) {
  return { AllOf: [`aws-provisioner:manage-worker-type:${name}`, ...grantedScopes(definition)] };
}

/** The published API reference lists the methods in this order. */
export function workerTypeMethods(workerTypes: WorkerTypeService, status: StatusService): ApiMethod[] {
  return [
    listWorkerTypeSummariesMethod(status),
    createWorkerTypeMethod(workerTypes),
    updateWorkerTypeMethod(workerTypes),
    workerTypeLastModifiedMethod(workerTypes),
    workerTypeMethod(workerTypes),
    removeWorkerTypeMethod(workerTypes),
    listWorkerTypesMethod(workerTypes),
    getLaunchSpecsMethod(workerTypes),
  ];
}

function listWorkerTypeSummariesMethod(status: StatusService): ApiMethod {
  return {
    name: 'listWorkerTypeSummaries',
    title: 'List worker types with details',
    description:
      'Every worker type with its minimum and maximum capacity and the capacity the provisioning loop last saw ' +
      'running, pending (instances booting, launches not yet visible in EC2) and requested (open spot requests).',
    stability: 'stable',
    method: 'get',
    route: '/list-worker-type-summaries',
    output: 'list-worker-types-summaries-response',
    handler: async () => ({ status: 200, body: await status.summaries() }),
  };
}

function createWorkerTypeMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'createWorkerType',
    title: 'Create new Worker Type',
    description:
      'Create a worker type. The definition is checked (schema, launch-spec rules, allowed regions, AMIs and ' +
      'security groups in EC2) and its key pair ensured in each region before it is stored. The caller must hold ' +
      '`aws-provisioner:manage-worker-type:<workerType>` and every scope the worker type grants its workers. ' +
      'Creating the same definition again succeeds; a different one is a 409.',
    stability: 'stable',
    method: 'put',
    route: '/worker-type/<workerType>',
    scopes: MANAGE,
    input: 'create-worker-type-request',
    output: 'get-worker-type-response',
    handler: async ({ params, body, caller, authorize }) => {
      const name = params.workerType as string;
      const definition = body as WorkerTypeDefinition;
      await authorize(manageExpression(name, definition));
      return { status: 200, body: await workerTypes.create(name, definition, changedBy(caller)) };
    },
  };
}

function updateWorkerTypeMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'updateWorkerType',
    title: 'Update Worker Type',
    description:
      'Update a worker type. Keys present in the body replace the stored ones; `lastModified` is set to now, ' +
      'so workers polling `workerTypeLastModified` notice. Checked and authorized like `createWorkerType`; ' +
      '404 if the worker type does not exist.',
    stability: 'stable',
    method: 'post',
    route: '/worker-type/<workerType>/update',
    scopes: MANAGE,
    input: 'create-worker-type-request',
    output: 'get-worker-type-response',
    handler: async ({ params, body, suppliedKeys, caller, authorize }) => {
      const name = params.workerType as string;
      const supplied = Object.fromEntries(
        suppliedKeys.map((key) => [key, (body as Record<string, unknown>)[key]]),
      ) as Partial<WorkerTypeDefinition>;
      await authorize(manageExpression(name, await workerTypes.merged(name, supplied)));
      return { status: 200, body: await workerTypes.update(name, supplied, changedBy(caller)) };
    },
  };
}

function workerTypeLastModifiedMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'workerTypeLastModified',
    title: 'Get Worker Type Last Modified Time',
    description:
      'When the worker type last changed: the same `lastModified` its instances carry in their user data.',
    stability: 'stable',
    method: 'get',
    route: '/worker-type-last-modified/<workerType>',
    output: 'get-worker-type-last-modified',
    handler: async ({ params }) => {
      const { workerType, lastModified } = await workerTypes.get(params.workerType as string);
      return { status: 200, body: { workerType, lastModified } };
    },
  };
}

function workerTypeMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'workerType',
    title: 'Get Worker Type',
    description: 'The stored definition of a worker type, with `workerType` and `lastModified`.',
    stability: 'stable',
    method: 'get',
    route: '/worker-type/<workerType>',
    output: 'get-worker-type-response',
    handler: async ({ params }) => ({
      status: 200,
      body: await workerTypes.get(params.workerType as string),
    }),
  };
}

function removeWorkerTypeMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'removeWorkerType',
    title: 'Delete Worker Type',
    description:
      'Delete a worker type. The provisioning loop then terminates every instance and cancels every spot ' +
      'request of it, and deletes its key pairs; `state` shows that cleanup until it is done. Idempotent: 204 ' +
      'whether or not it existed.',
    stability: 'stable',
    method: 'delete',
    route: '/worker-type/<workerType>',
    scopes: MANAGE,
    handler: async ({ params, caller }) => {
      await workerTypes.remove(params.workerType as string, changedBy(caller));
      return { status: 204 };
    },
  };
}

function listWorkerTypesMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'listWorkerTypes',
    title: 'List Worker Types',
    description: 'The names of every defined worker type.',
    stability: 'stable',
    method: 'get',
    route: '/list-worker-types',
    output: 'list-worker-types-response',
    handler: async () => ({ status: 200, body: await workerTypes.names() }),
  };
}

function getLaunchSpecsMethod(workerTypes: WorkerTypeService): ApiMethod {
  return {
    name: 'getLaunchSpecs',
    title: 'Get All Launch Specifications for WorkerType',
    description:
      'For each region and instance type, the launch specification and user data the loop would use, with a ' +
      'price of 1 and a fresh security token that is not stored (it cannot be redeemed). Each region uses its ' +
      'first configured availability zone, or `<region>a`.',
    stability: 'experimental',
    method: 'get',
    route: '/worker-type/<workerType>/launch-specifications',
    output: 'get-launch-specs-response',
    handler: async ({ params }) => ({
      status: 200,
      body: await workerTypes.launchSpecs(params.workerType as string),
    }),
  };
}

/** Beyond the original v1 API: the history of a worker type's definition, and rolling back to a version. */
export function workerTypeHistoryMethods(workerTypes: WorkerTypeService): ApiMethod[] {
  return [
    {
      name: 'workerTypeVersions',
      title: 'Worker Type Versions',
      description:
        'Every create, update, removal and rollback of a worker type, oldest first: who, when, and the definition. ' +
        'Available after removal too. Like `workerType`, it needs no scopes.',
      stability: 'experimental',
      method: 'get',
      route: '/worker-type/<workerType>/versions',
      output: 'worker-type-versions-response',
      handler: async ({ params }) => {
        const name = params.workerType as string;
        return { status: 200, body: { workerType: name, versions: await workerTypes.versions(name) } };
      },
    },
    {
      name: 'rollbackWorkerType',
      title: 'Roll Back Worker Type',
      description:
        'Restore the definition of an earlier version (re-creating the worker type if it was removed). The ' +
        'definition is checked again and the caller must hold the scopes it grants.',
      stability: 'experimental',
      method: 'post',
      route: '/worker-type/<workerType>/rollback',
      scopes: MANAGE,
      input: 'rollback-worker-type-request',
      output: 'get-worker-type-response',
      handler: async ({ params, body, caller, authorize }) => {
        const name = params.workerType as string;
        const { version } = body as { version: number };
        const target = (await workerTypes.versions(name)).find((v) => v.version === version);
        if (target?.definition) await authorize(manageExpression(name, target.definition));
        return { status: 200, body: await workerTypes.rollback(name, version, changedBy(caller)) };
      },
    },
  ];
}

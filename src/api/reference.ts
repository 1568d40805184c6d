import { type ApiMethod, routeParams } from './api-method.js';

export const API_TITLE = 'AWS Provisioner API Documentation';

export const API_DESCRIPTION = [
  'The AWS Provisioner keeps a pool of EC2 instances for each worker type matched to the tasks waiting for',
  'it in the Taskcluster queue, at the lowest cost. It maintains worker type definitions (this API), and a',
  "provisioning loop that, every interval, reads EC2's state in every region, asks the queue how many tasks",
  'are pending per worker type, and launches or removes capacity: the cheapest offers by spot price per',
  'unit of utility, spread over several pools, on-demand when spot is not allowed or not available.',
  '',
  'Each new instance gets a single-use `securityToken` in its user data, which it exchanges for temporary',
  'Taskcluster credentials with `getSecret`.',
].join('\n');

/** The API reference (Taskcluster's api-reference-v0 shape), from the same definitions the server serves. */
export function apiReference(methods: readonly ApiMethod[]): Record<string, unknown> {
  return {
    $schema: '/schemas/common/api-reference-v0.json#',
    apiVersion: 'v1',
    serviceName: 'aws-provisioner',
    title: API_TITLE,
    description: API_DESCRIPTION,
    entries: methods.map((m) => ({
      type: 'function',
      method: m.method,
      route: m.route,
      query: Object.keys(m.query ?? {}),
      args: routeParams(m.route),
      name: m.name,
      stability: m.stability,
      title: m.title,
      description: m.description,
      ...(m.scopes !== undefined ? { scopes: m.scopes } : {}),
      ...(m.input ? { input: `v1/${m.input}.json#` } : {}),
      ...(m.output ? { output: `v1/${m.output}.json#` } : {}),
    })),
  };
}

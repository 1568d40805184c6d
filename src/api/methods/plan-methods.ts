import type { PlanPreviewer } from '../../services/plan-previewer.js';
import type { ApiMethod } from '../api-method.js';

/** Beyond the original v1 API: what the next provisioning iteration would do, and why. */
export function planMethods(previewer: PlanPreviewer): ApiMethod[] {
  return [
    {
      name: 'planPreview',
      title: 'Preview the next iteration',
      description:
        'What the next provisioning iteration would do and why, without doing it: for every worker type the ' +
        'capacity, pending tasks, the capacity change, the launches it would make (offer, market, max price), the ' +
        'instances it would terminate and requests it would cancel, the guard rails that block or limit it, and the ' +
        'decision record (every candidate offer with its score, what was excluded and why). Computed from a fresh ' +
        'look at EC2 and the queue, shared by callers for a few seconds; 503 when it has not finished within 2 minutes.',
      stability: 'experimental',
      method: 'get',
      route: '/plan-preview',
      handler: async () => ({ status: 200, body: await previewer.plan() }),
    },
    {
      name: 'workerTypePlanPreview',
      title: 'Preview the next iteration for a worker type',
      description:
        'The part of `planPreview` about one worker type; 404 when it is neither defined nor has resources.',
      stability: 'experimental',
      method: 'get',
      route: '/worker-type/<workerType>/plan-preview',
      handler: async ({ params }) => ({
        status: 200,
        body: await previewer.planOf(params.workerType as string),
      }),
    },
  ];
}

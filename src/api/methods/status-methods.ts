import type { StatusService } from '../../services/status-service.js';
import type { ApiMethod } from '../api-method.js';

export function statusMethods(status: StatusService): ApiMethod[] {
  return [
    {
      name: 'state',
      title: 'Get AWS State for a worker type',
      description:
        'What the provisioning loop last saw of a worker type in EC2: its instances, open spot requests, launches ' +
        'not yet visible in EC2 (`internalTrackedRequests`), the capacity summary, and a pending removal. A removed ' +
        'worker type keeps its state until its cleanup is done.',
      stability: 'stable',
      method: 'get',
      route: '/state/<workerType>',
      handler: async ({ params }) => ({ status: 200, body: await status.state(params.workerType as string) }),
    },
    {
      name: 'backendStatus',
      title: 'Backend Status',
      description:
        "The health of this service's provisioning loop: `status` (`pending` before the first iteration, " +
        '`healthy`, `failing` when the last iteration failed, `stale` when none finished recently) and ' +
        '`lastCheckedIn`, when the last iteration finished.',
      stability: 'experimental',
      method: 'get',
      route: '/backend-status',
      output: 'backend-status-response',
      handler: async () => ({ status: 200, body: await status.backendStatus() }),
    },
    PING_METHOD,
  ];
}

/** Also served alone by a process that runs the loop without the API, for its health checks. */
export const PING_METHOD: ApiMethod = {
  name: 'ping',
  title: 'Ping Server',
  description: 'Respond without doing anything: `{alive: true, uptime}`, the process uptime in seconds.',
  stability: 'stable',
  method: 'get',
  route: '/ping',
  output: 'ping-response',
  handler: async () => ({ status: 200, body: { alive: true, uptime: process.uptime() } }),
};

/**
 * What a worker does first (spec §D.9): read its user data, then redeem the single-use token with the
 * provisioner's `getSecret` and report `instanceStarted`, over plain HTTP at `provisionerBaseUrl`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isJsonObject } from '../../domain/launch-spec-rules.js';
import type { UserData } from '../../domain/user-data.js';
import { QUEUE_IDENTIFIER } from '../queue/task-queue.js';

/** The part of the provisioner's user data a simulated worker uses. */
export type WorkerUserData = Pick<UserData, 'provisionerId' | 'workerType' | 'capacity'> &
  Partial<Pick<UserData, 'securityToken' | 'provisionerBaseUrl' | 'region'>> & {
    /**
     * From the worker type's `userData` (the user data's `data`), as docker-worker reads it: its
     * `shutdown.afterIdleSeconds` overrides the worker's default idle timeout; `shutdown.enabled: false`
     * (null here) turns idle shutdown off. Absent: the worker's default.
     */
    idleTimeoutMs?: number | null;
  };

/** Parses decoded user data; a string explains why it is not a worker's. */
export function parseWorkerUserData(text: string | undefined): WorkerUserData | string {
  if (text === undefined) return 'the instance has no user data';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the user data is not JSON';
  }
  if (parsed === null || typeof parsed !== 'object') return 'the user data is not a JSON object';
  const data = parsed as Record<string, unknown>;
  const { provisionerId, workerType, capacity } = data;
  if (typeof provisionerId !== 'string' || !QUEUE_IDENTIFIER.test(provisionerId)) {
    return 'the user data has no valid provisionerId';
  }
  if (typeof workerType !== 'string' || !QUEUE_IDENTIFIER.test(workerType)) {
    return 'the user data has no valid workerType';
  }
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    return 'the user data has no positive integer capacity';
  }
  const optional = (name: string) => (typeof data[name] === 'string' ? { [name]: data[name] } : {});
  return {
    provisionerId,
    workerType,
    capacity,
    ...optional('securityToken'),
    ...optional('provisionerBaseUrl'),
    ...optional('region'),
    ...idleTimeoutOf(data.data),
  };
}

/**
 * docker-worker merges the user data's `data` over its own configuration (`host/aws.js`), so a worker
 * type's `userData: {shutdown: {afterIdleSeconds: N}}` sets its idle timeout. Values docker-worker could
 * not use are ignored here, leaving the default.
 */
function idleTimeoutOf(data: unknown): { idleTimeoutMs?: number | null } {
  const shutdown = isJsonObject(data) ? data.shutdown : undefined;
  if (!isJsonObject(shutdown)) return {};
  if (shutdown.enabled === false) return { idleTimeoutMs: null };
  const seconds = shutdown.afterIdleSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return {};
  return { idleTimeoutMs: seconds * 1000 };
}

export type BootstrapOutcome =
  | { ok: true; instanceStartedStatus: number | string }
  | { ok: false; error: string };

/** Attempts for one call on network errors and 5xx answers (taskcluster-client retries similarly). */
const ATTEMPTS = 3;

async function get(url: string, timeoutMs: number): Promise<{ status: number } | { error: string }> {
  let last = '';
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await delay(100 * 2 ** attempt);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      if (response.status < 500) return { status: response.status };
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
  }
  return { error: last };
}

/** getSecret (must succeed), then instanceStarted (optional, its outcome is only reported). */
export async function bootstrapOverHttp(
  userData: WorkerUserData,
  instanceId: string,
  timeoutMs: number,
): Promise<BootstrapOutcome> {
  const { provisionerBaseUrl: base, securityToken: token } = userData;
  if (base === undefined || token === undefined) {
    return { ok: false, error: 'the user data has no provisionerBaseUrl or securityToken' };
  }
  const root = base.replace(/\/+$/, '');
  const secret = await get(`${root}/secret/${encodeURIComponent(token)}`, timeoutMs);
  if ('error' in secret) return { ok: false, error: `getSecret failed: ${secret.error}` };
  if (secret.status !== 200) return { ok: false, error: `getSecret answered HTTP ${secret.status}` };
  const started = await get(
    `${root}/instance-started/${encodeURIComponent(instanceId)}/${encodeURIComponent(token)}`,
    timeoutMs,
  );
  return { ok: true, instanceStartedStatus: 'error' in started ? started.error : started.status };
}

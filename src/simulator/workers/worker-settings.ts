/** How simulated workers behave: a scenario knob (`workers` in a scenario file). */

export type BootstrapMode = 'http' | 'skip';

export interface WorkerSettings {
  /**
   * `http`: call the provisioner's getSecret and instanceStarted at the user data's `provisionerBaseUrl`
   * (a failing getSecret shuts the worker down, like docker-worker). `skip`: start working at once
   * (benchmarks in virtual time have no API server).
   */
  bootstrap: BootstrapMode;
  /**
   * A worker with nothing to do shuts its instance down after this long (docker-worker: 15 min), unless its
   * worker type's `userData.shutdown` says otherwise (see `parseWorkerUserData`).
   */
  idleTimeoutMs: number;
  /** How often a worker with free slots asks the queue for work. */
  pollIntervalMs: number;
  /**
   * A task whose worker vanished without a word (terminated, not interrupted) runs again after its
   * claim expires (the queue's claim timeout: 20 min). Interrupted workers give their tasks back at once.
   */
  claimTimeoutMs: number;
  /** Real-time limit of one bootstrap HTTP call (network time is real even in virtual time). */
  bootstrapRequestTimeoutMs: number;
}

export const DEFAULT_WORKER_SETTINGS: WorkerSettings = {
  bootstrap: 'http',
  idleTimeoutMs: 15 * 60_000,
  pollIntervalMs: 10_000,
  claimTimeoutMs: 20 * 60_000,
  bootstrapRequestTimeoutMs: 10_000,
};

export function resolveWorkerSettings(input: Partial<WorkerSettings> = {}): WorkerSettings {
  const settings = { ...DEFAULT_WORKER_SETTINGS, ...definedOnly(input) };
  if (settings.bootstrap !== 'http' && settings.bootstrap !== 'skip') {
    throw new RangeError(`workers.bootstrap must be "http" or "skip", got ${String(settings.bootstrap)}`);
  }
  for (const key of ['idleTimeoutMs', 'claimTimeoutMs', 'bootstrapRequestTimeoutMs'] as const) {
    if (!(settings[key] >= 0)) throw new RangeError(`workers.${key} must be a non-negative number`);
  }
  if (!(settings.pollIntervalMs > 0)) throw new RangeError('workers.pollIntervalMs must be positive');
  return settings;
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

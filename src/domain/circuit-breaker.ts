/**
 * A per worker type circuit breaker (issue 4's guard rail): a worker type whose instances keep dying before
 * checking in, or whose launches keep failing through the definition's fault, is paused for a cool-down.
 * Then a trial (half-open) allows a few launches: a trial instance that checks in closes the breaker, a
 * failure re-opens it for twice as long (capped). Pure: the previous state and the evidence in, the next
 * state out; the evidence is re-read every iteration, so it is judged by *when* it happened (`since`),
 * never by counting iterations.
 */
import type { Ec2ErrorKind } from '../ec2/ec2-port.js';
import type { InstanceFact, LaunchOutcome } from './plan-types.js';

export type BreakerStatus = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  status: BreakerStatus;
  /** Epoch ms: evidence from before this was already judged (launch outcomes, instances launched). */
  since: number;
  /** Open: when the cool-down ends. */
  openUntil: number | null;
  /** Half-open: when the trial began. */
  trialStartedAt: number | null;
  /**
   * Recent openings: sets the next cool-down. A successful trial keeps the count, so a worker type that
   * fails again soon pauses for longer each time instead of flapping; it is forgotten once the breaker has
   * stayed closed for the longest cool-down.
   */
  consecutiveOpenings: number;
  /** Why it opened last; null when closed. */
  reason: string | null;
}

export interface BreakerSettings {
  /** Instances dying before checking in, within `windowMs`, that open the breaker. */
  earlyDeathThreshold: number;
  /** A death this long after launch or later is not "early" (when the time of death is known). */
  earlyDeathMs: number;
  /** Launch failures through the definition's fault in a row (since the last success) that open it. */
  launchFailureThreshold: number;
  /** Evidence older than this is forgotten. */
  windowMs: number;
  /** The first cool-down; each re-opening doubles it, up to `maxCoolDownMs`. */
  coolDownMs: number;
  maxCoolDownMs: number;
  /** Launches a trial allows. */
  trialLaunches: number;
  /** A live trial instance that has not checked in this long after its launch fails the trial. */
  trialTimeoutMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_BREAKER_SETTINGS: BreakerSettings = {
  earlyDeathThreshold: 3,
  earlyDeathMs: 15 * MINUTE,
  launchFailureThreshold: 3,
  windowMs: 60 * MINUTE,
  coolDownMs: 10 * MINUTE,
  maxCoolDownMs: 4 * 60 * MINUTE,
  trialLaunches: 1,
  // A healthy worker redeems its secret within its 40-minute lifetime (§D.9).
  trialTimeoutMs: 40 * MINUTE,
};

export const CLOSED_BREAKER: BreakerState = {
  status: 'closed',
  since: 0,
  openUntil: null,
  trialStartedAt: null,
  consecutiveOpenings: 0,
  reason: null,
};

/** Errors that are the definition's fault (or unknown); capacity, price, quota and throttling are the market's. */
export const DEFINITION_FAULTS: readonly Ec2ErrorKind[] = ['invalid-request', 'not-found', 'unknown'];

/** State reasons of deaths that are the market's doing, not the worker's. */
export const MARKET_DEATH_CODES: readonly string[] = [
  'Server.SpotInstanceTermination',
  'Server.SpotInstanceShutdown',
  'Server.InsufficientInstanceCapacity',
];

const DEAD_STATES: readonly string[] = ['shutting-down', 'terminated', 'stopping', 'stopped'];
const LIVE_STATES: readonly string[] = ['pending', 'running'];

export type BreakerInstance = Pick<
  InstanceFact,
  'instanceId' | 'state' | 'launchTime' | 'checkedIn' | 'stateReason' | 'stateTransitionAt' | 'terminatedByUs'
>;

export interface BreakerInput {
  now: number;
  previous?: BreakerState;
  outcomes: readonly LaunchOutcome[];
  instances: readonly BreakerInstance[];
  inFlightLaunches: readonly { createdAt: number }[];
}

export interface BreakerDecision {
  state: BreakerState;
  /** Launches allowed this iteration: null = no limit, 0 = none. */
  launchAllowance: number | null;
  transition: 'opened' | 'reopened' | 'half-opened' | 'closed' | null;
  /** Why launches are paused or limited; null when they are not. */
  message: string | null;
}

export function resolveBreakerSettings(settings: Partial<BreakerSettings> | undefined): BreakerSettings {
  const resolved: Record<string, unknown> = { ...DEFAULT_BREAKER_SETTINGS };
  for (const [key, value] of Object.entries(settings ?? {})) if (value !== undefined) resolved[key] = value;
  return resolved as unknown as BreakerSettings;
}

export function evaluateBreaker(input: BreakerInput, settings?: Partial<BreakerSettings>): BreakerDecision {
  const resolved = resolveBreakerSettings(settings);
  const previous = input.previous ?? CLOSED_BREAKER;
  if (previous.status === 'closed') {
    const horizon = Math.max(previous.since, input.now - resolved.windowMs);
    const failure =
      earlyDeaths(input, horizon, resolved) ?? launchFailures(input.outcomes, horizon, resolved);
    const calm = input.now - previous.since >= resolved.maxCoolDownMs;
    const history =
      calm && previous.consecutiveOpenings > 0 ? { ...previous, consecutiveOpenings: 0 } : previous;
    return failure === null ? closedDecision(history) : open(history, input.now, failure, 'opened', resolved);
  }
  if (previous.status === 'open' && input.now < (previous.openUntil ?? 0)) {
    const until = new Date(previous.openUntil ?? 0).toISOString();
    return {
      state: previous,
      launchAllowance: 0,
      transition: null,
      message: `paused until ${until}: ${previous.reason}`,
    };
  }
  const trial: BreakerState =
    previous.status === 'open'
      ? { ...previous, status: 'half-open', since: input.now, openUntil: null, trialStartedAt: input.now }
      : previous;
  const decision = judgeTrial(input, trial, resolved);
  if (previous.status === 'open' && decision.transition === null)
    return { ...decision, transition: 'half-opened' };
  return decision;
}

/** Was one of these instances an early death: died, not by us nor the market, never checked in? */
export function isEarlyDeath(instance: BreakerInstance, earlyDeathMs: number): boolean {
  if (!DEAD_STATES.includes(instance.state) || instance.checkedIn || instance.terminatedByUs === true)
    return false;
  if (instance.stateReason !== undefined && MARKET_DEATH_CODES.includes(instance.stateReason.code))
    return false;
  const diedAt = instance.stateTransitionAt;
  return diedAt === undefined || diedAt - instance.launchTime <= earlyDeathMs;
}

function closedDecision(state: BreakerState): BreakerDecision {
  return { state, launchAllowance: null, transition: null, message: null };
}

function open(
  previous: BreakerState,
  now: number,
  reason: string,
  transition: 'opened' | 'reopened',
  settings: BreakerSettings,
): BreakerDecision {
  const openings = previous.consecutiveOpenings + 1;
  const coolDown = Math.min(settings.coolDownMs * 2 ** (openings - 1), settings.maxCoolDownMs);
  const state: BreakerState = {
    status: 'open',
    since: now,
    openUntil: now + coolDown,
    trialStartedAt: null,
    consecutiveOpenings: openings,
    reason,
  };
  const until = new Date(now + coolDown).toISOString();
  return { state, launchAllowance: 0, transition, message: `paused until ${until}: ${reason}` };
}

function earlyDeaths(input: BreakerInput, horizon: number, settings: BreakerSettings): string | null {
  const deaths = input.instances
    .filter((instance) => instance.launchTime >= horizon && isEarlyDeath(instance, settings.earlyDeathMs))
    .sort((a, b) => a.launchTime - b.launchTime || (a.instanceId < b.instanceId ? -1 : 1));
  if (deaths.length < settings.earlyDeathThreshold) return null;
  return `${deaths.length} instances died before checking in (${describeDeath(deaths[deaths.length - 1])})`;
}

function describeDeath(instance: BreakerInstance | undefined): string {
  if (instance === undefined) return '';
  const reason = instance.stateReason;
  return `latest ${instance.instanceId}: ${reason === undefined ? instance.state : `${reason.code}: ${reason.message}`}`;
}

/** Definition-fault failures since the last successful launch; market errors neither count nor reset. */
function launchFailures(
  outcomes: readonly LaunchOutcome[],
  horizon: number,
  settings: BreakerSettings,
): string | null {
  const recent = outcomes.filter((outcome) => outcome.at >= horizon).sort((a, b) => a.at - b.at);
  const kinds: string[] = [];
  for (const outcome of recent) {
    if (outcome.ok) kinds.length = 0;
    else if (isDefinitionFault(outcome)) kinds.push(outcome.errorKind ?? 'unknown');
  }
  if (kinds.length < settings.launchFailureThreshold) return null;
  return `${kinds.length} launches in a row failed (${[...new Set(kinds)].sort().join(', ')})`;
}

function isDefinitionFault(outcome: LaunchOutcome): boolean {
  return !outcome.ok && DEFINITION_FAULTS.includes(outcome.errorKind ?? 'unknown');
}

/** Half-open: any failure re-opens, a trial instance that checked in closes, otherwise the trial goes on. */
function judgeTrial(input: BreakerInput, trial: BreakerState, settings: BreakerSettings): BreakerDecision {
  const start = trial.trialStartedAt ?? trial.since;
  // EC2's launch times are whole seconds: one in the trial's first second may be the trial's own.
  const startSecond = Math.floor(start / 1000) * 1000;
  const instances = input.instances.filter((instance) => instance.launchTime >= startSecond);
  const failed = input.outcomes.find((outcome) => outcome.at >= start && isDefinitionFault(outcome));
  if (failed !== undefined) {
    return open(
      trial,
      input.now,
      `trial launch failed (${failed.errorKind ?? 'unknown'})`,
      'reopened',
      settings,
    );
  }
  const death = instances.find((instance) => isEarlyDeath(instance, settings.earlyDeathMs));
  if (death !== undefined) {
    return open(
      trial,
      input.now,
      `trial instance died before checking in (${describeDeath(death)})`,
      'reopened',
      settings,
    );
  }
  if (instances.some((instance) => instance.checkedIn)) {
    const closed = { ...CLOSED_BREAKER, since: start, consecutiveOpenings: trial.consecutiveOpenings };
    return { ...closedDecision(closed), transition: 'closed' };
  }
  const alive = instances.filter((instance) => LIVE_STATES.includes(instance.state));
  const late = alive.find((instance) => input.now - instance.launchTime > settings.trialTimeoutMs);
  if (late !== undefined) {
    const minutes = Math.round(settings.trialTimeoutMs / MINUTE);
    return open(
      trial,
      input.now,
      `trial instance ${late.instanceId} did not check in within ${minutes} min`,
      'reopened',
      settings,
    );
  }
  // Trial instances the market took (or that failed for capacity) give their launch back.
  const inFlight = input.inFlightLaunches.filter((launch) => launch.createdAt >= start).length;
  const used = alive.length + inFlight;
  const allowance = Math.max(0, settings.trialLaunches - used);
  return {
    state: trial,
    launchAllowance: allowance,
    transition: null,
    message: `trial after a pause (${trial.reason}): ${allowance} more launch(es) until one checks in`,
  };
}

import { describe, expect, it } from 'vitest';
import {
  type BreakerDecision,
  type BreakerInput,
  type BreakerInstance,
  type BreakerState,
  CLOSED_BREAKER,
  DEFAULT_BREAKER_SETTINGS,
  evaluateBreaker,
} from '../../src/domain/circuit-breaker.js';
import type { LaunchOutcome } from '../../src/domain/plan-types.js';

const MIN = 60_000;
const NOW = Date.UTC(2024, 0, 1, 12);

/** An instance launched `ago` minutes before NOW that died a minute later without checking in. */
function death(id: string, ago: number, overrides: Partial<BreakerInstance> = {}): BreakerInstance {
  return {
    instanceId: id,
    state: 'terminated',
    launchTime: NOW - ago * MIN,
    stateTransitionAt: NOW - (ago - 1) * MIN,
    checkedIn: false,
    stateReason: { code: 'Client.InstanceInitiatedShutdown', message: 'shutdown' },
    ...overrides,
  };
}

const failure = (ago: number, errorKind: LaunchOutcome['errorKind']): LaunchOutcome => ({
  at: NOW - ago * MIN,
  ok: false,
  errorKind,
});
const success = (ago: number): LaunchOutcome => ({ at: NOW - ago * MIN, ok: true });

function evaluate(input: Partial<BreakerInput>): BreakerDecision {
  return evaluateBreaker({ now: NOW, outcomes: [], instances: [], inFlightLaunches: [], ...input });
}

describe('a closed breaker', () => {
  const cases: { name: string; input: Partial<BreakerInput>; opens: boolean }[] = [
    { name: 'no evidence', input: {}, opens: false },
    {
      name: 'three early deaths',
      input: { instances: [death('i-1', 9), death('i-2', 8), death('i-3', 7)] },
      opens: true,
    },
    { name: 'two early deaths', input: { instances: [death('i-1', 9), death('i-2', 8)] }, opens: false },
    {
      name: 'deaths of unknown time count (never checking in is the sign)',
      input: { instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 5, { stateTransitionAt: undefined })) },
      opens: true,
    },
    {
      name: 'spot interruptions are the market, not the definition',
      input: {
        instances: ['i-1', 'i-2', 'i-3'].map((id) =>
          death(id, 5, { stateReason: { code: 'Server.SpotInstanceTermination', message: 'outbid' } }),
        ),
      },
      opens: false,
    },
    {
      name: 'our own terminations do not count',
      input: { instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 5, { terminatedByUs: true })) },
      opens: false,
    },
    {
      name: 'instances that checked in do not count',
      input: { instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 5, { checkedIn: true })) },
      opens: false,
    },
    {
      name: 'deaths long after launch are not early',
      input: {
        instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 50, { stateTransitionAt: NOW - MIN })),
      },
      opens: false,
    },
    {
      name: 'running instances are not deaths',
      input: { instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 5, { state: 'running' })) },
      opens: false,
    },
    {
      name: 'deaths of instances launched before the window are forgotten',
      input: { instances: ['i-1', 'i-2', 'i-3'].map((id) => death(id, 61)) },
      opens: false,
    },
    {
      name: 'deaths before `since` were already judged',
      input: {
        previous: { ...CLOSED_BREAKER, since: NOW - 5 * MIN },
        instances: [death('i-1', 9), death('i-2', 8), death('i-3', 7)],
      },
      opens: false,
    },
    {
      name: 'three invalid-request launches in a row',
      input: {
        outcomes: [
          failure(3, 'invalid-request'),
          failure(2, 'invalid-request'),
          failure(1, 'invalid-request'),
        ],
      },
      opens: true,
    },
    {
      name: 'not-found and unknown errors are the definition’s too',
      input: { outcomes: [failure(3, 'not-found'), failure(2, 'unknown'), failure(1, undefined)] },
      opens: true,
    },
    {
      name: 'capacity, price, quota and throttling errors are the market’s',
      input: {
        outcomes: (
          ['insufficient-capacity', 'price-too-low', 'throttled', 'quota-exceeded', 'unavailable'] as const
        ).map((kind, index) => failure(index + 1, kind)),
      },
      opens: false,
    },
    {
      name: 'a success between failures resets the count',
      input: {
        outcomes: [
          failure(4, 'invalid-request'),
          failure(3, 'invalid-request'),
          success(2),
          failure(1, 'not-found'),
        ],
      },
      opens: false,
    },
    {
      name: 'market errors between failures neither count nor reset',
      input: {
        outcomes: [
          failure(4, 'invalid-request'),
          failure(3, 'insufficient-capacity'),
          failure(2, 'invalid-request'),
          failure(1, 'not-found'),
        ],
      },
      opens: true,
    },
  ];
  it.each(cases)('$name', ({ input, opens }) => {
    const decision = evaluate(input);
    expect(decision.state.status).toBe(opens ? 'open' : 'closed');
    expect(decision.transition).toBe(opens ? 'opened' : null);
    expect(decision.launchAllowance).toBe(opens ? 0 : null);
    if (opens) {
      expect(decision.state.openUntil).toBe(NOW + DEFAULT_BREAKER_SETTINGS.coolDownMs);
      expect(decision.message).toContain(decision.state.reason ?? 'no reason');
    }
  });

  it('says why it opened', () => {
    const deaths = evaluate({ instances: [death('i-1', 9), death('i-2', 8), death('i-3', 7)] });
    expect(deaths.state.reason).toBe(
      '3 instances died before checking in (latest i-3: Client.InstanceInitiatedShutdown: shutdown)',
    );
    const launches = evaluate({
      outcomes: [failure(3, 'not-found'), failure(2, 'invalid-request'), failure(1, 'not-found')],
    });
    expect(launches.state.reason).toBe('3 launches in a row failed (invalid-request, not-found)');
  });

  it('takes its thresholds as parameters', () => {
    const input: BreakerInput = {
      now: NOW,
      outcomes: [failure(1, 'invalid-request')],
      instances: [],
      inFlightLaunches: [],
    };
    expect(evaluateBreaker(input).state.status).toBe('closed');
    expect(evaluateBreaker(input, { launchFailureThreshold: 1 }).state.status).toBe('open');
  });
});

const opened: BreakerState = {
  status: 'open',
  since: NOW - 20 * MIN,
  openUntil: NOW - MIN,
  trialStartedAt: null,
  consecutiveOpenings: 1,
  reason: '3 instances died before checking in',
};

const trial = (startedAgo: number, openings = 1): BreakerState => ({
  ...opened,
  status: 'half-open',
  since: NOW - startedAgo * MIN,
  openUntil: null,
  trialStartedAt: NOW - startedAgo * MIN,
  consecutiveOpenings: openings,
});

describe('an open breaker', () => {
  it('pauses launches until the cool-down ends, with its reason', () => {
    const decision = evaluate({ previous: { ...opened, openUntil: NOW + MIN } });
    expect(decision).toMatchObject({ launchAllowance: 0, transition: null, state: { status: 'open' } });
    expect(decision.message).toBe(`paused until 2024-01-01T12:01:00.000Z: ${opened.reason}`);
  });

  it('then allows a trial (half-open) without re-judging the evidence that opened it', () => {
    const decision = evaluate({
      previous: opened,
      instances: [death('i-1', 9), death('i-2', 8), death('i-3', 7)],
    });
    expect(decision).toMatchObject({ transition: 'half-opened', launchAllowance: 1 });
    expect(decision.state).toMatchObject({ status: 'half-open', trialStartedAt: NOW, since: NOW });
  });
});

describe('a half-open breaker', () => {
  const launchedInTrial = (overrides: Partial<BreakerInstance>): BreakerInstance => ({
    ...death('i-trial', 5, { state: 'running', stateTransitionAt: undefined, stateReason: undefined }),
    ...overrides,
  });
  const cases: {
    name: string;
    input: Partial<BreakerInput>;
    status: BreakerState['status'];
    allowance: number | null;
    coolDownMin?: number;
  }[] = [
    { name: 'allows its trial launches while none was made', input: {}, status: 'half-open', allowance: 1 },
    {
      name: 'an in-flight trial launch uses the allowance',
      input: { inFlightLaunches: [{ createdAt: NOW - MIN }] },
      status: 'half-open',
      allowance: 0,
    },
    {
      name: 'a trial launch that failed for capacity does not use it',
      input: { outcomes: [failure(2, 'insufficient-capacity')] },
      status: 'half-open',
      allowance: 1,
    },
    {
      name: 'a trial instance still booting waits',
      input: { outcomes: [success(5)], instances: [launchedInTrial({ checkedIn: false })] },
      status: 'half-open',
      allowance: 0,
    },
    {
      name: 'a trial instance the market took gives its launch back',
      input: {
        outcomes: [success(5)],
        instances: [
          launchedInTrial({
            state: 'terminated',
            stateReason: { code: 'Server.SpotInstanceTermination', message: 'interrupted' },
          }),
        ],
      },
      status: 'half-open',
      allowance: 1,
    },
    {
      name: 'a trial instance that checked in closes it',
      input: { outcomes: [success(5)], instances: [launchedInTrial({ checkedIn: true })] },
      status: 'closed',
      allowance: null,
    },
    {
      name: 'a trial launch failing through the definition re-opens it for twice as long',
      input: { outcomes: [failure(2, 'invalid-request')] },
      status: 'open',
      allowance: 0,
      coolDownMin: 20,
    },
    {
      name: 'a trial instance dying early re-opens it',
      input: { instances: [launchedInTrial({ state: 'terminated' })] },
      status: 'open',
      allowance: 0,
      coolDownMin: 20,
    },
    {
      // EC2 gives launch times in whole seconds: launched 0.1 s after a trial that began 0.7 s into a second.
      name: 'a trial instance launched in the second the trial began, checked in, closes it',
      input: {
        previous: { ...trial(10), trialStartedAt: NOW - 10 * MIN + 700 },
        outcomes: [success(5)],
        instances: [launchedInTrial({ launchTime: NOW - 10 * MIN, checkedIn: true })],
      },
      status: 'closed',
      allowance: null,
    },
    {
      name: 'a trial instance launched in the second the trial began, dying early, re-opens it',
      input: {
        previous: { ...trial(10), trialStartedAt: NOW - 10 * MIN + 700 },
        instances: [launchedInTrial({ launchTime: NOW - 10 * MIN, state: 'terminated' })],
      },
      status: 'open',
      allowance: 0,
      coolDownMin: 20,
    },
    {
      name: 'evidence from before the trial is not re-judged',
      input: { instances: [death('i-old', 15), death('i-old2', 14), death('i-old3', 13)] },
      status: 'half-open',
      allowance: 1,
    },
  ];
  it.each(cases)('$name', ({ input, status, allowance, coolDownMin }) => {
    const decision = evaluate({ previous: trial(10), ...input });
    expect(decision.state.status).toBe(status);
    expect(decision.launchAllowance).toBe(allowance);
    if (coolDownMin !== undefined) {
      expect(decision.transition).toBe('reopened');
      expect(decision.state.openUntil).toBe(NOW + coolDownMin * MIN);
      expect(decision.state.consecutiveOpenings).toBe(2);
    }
    if (status === 'closed') {
      const since = input.previous?.trialStartedAt ?? NOW - 10 * MIN;
      expect(decision.state).toEqual({ ...CLOSED_BREAKER, since, consecutiveOpenings: 1 });
    }
  });

  it('re-opens when a trial instance has not checked in within the timeout', () => {
    const late = launchedInTrial({ instanceId: 'i-late', launchTime: NOW - 45 * MIN });
    const decision = evaluate({ previous: trial(50), outcomes: [success(45)], instances: [late] });
    expect(decision.transition).toBe('reopened');
    expect(decision.state.reason).toBe('trial instance i-late did not check in within 40 min');
  });

  it('remembers its openings after a successful trial, so failing again soon pauses for longer', () => {
    const checkedIn = launchedInTrial({ checkedIn: true });
    const closed = evaluate({ previous: trial(10, 2), outcomes: [success(5)], instances: [checkedIn] }).state;
    const deaths = [death('i-a', 3), death('i-b', 2), death('i-c', 1)];
    const again = evaluate({ previous: closed, instances: deaths });
    expect(again.transition).toBe('opened');
    expect(again.state.consecutiveOpenings).toBe(3);
    expect(again.state.openUntil).toBe(NOW + 40 * MIN);
  });

  it('forgets its openings once it has stayed closed for the longest cool-down', () => {
    const longAgo: BreakerState = { ...CLOSED_BREAKER, since: NOW - 4 * 60 * MIN, consecutiveOpenings: 4 };
    expect(evaluate({ previous: longAgo }).state.consecutiveOpenings).toBe(0);
    const deaths = [death('i-a', 3), death('i-b', 2), death('i-c', 1)];
    const reopened = evaluate({ previous: longAgo, instances: deaths });
    expect(reopened.state.openUntil).toBe(NOW + 10 * MIN);
    const recent: BreakerState = { ...longAgo, since: NOW - 60 * MIN };
    expect(evaluate({ previous: recent }).state.consecutiveOpenings).toBe(4);
  });

  it('re-opens exponentially, up to the cap', () => {
    const coolDowns = [1, 2, 3, 5, 8].map((openings) => {
      const decision = evaluate({ previous: trial(10, openings), outcomes: [failure(1, 'invalid-request')] });
      return ((decision.state.openUntil ?? 0) - NOW) / MIN;
    });
    expect(coolDowns).toEqual([20, 40, 80, 240, 240]);
  });
});

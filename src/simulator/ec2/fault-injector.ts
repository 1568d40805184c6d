import { type Ec2ApiError, ec2Error } from './ec2-api-error.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { regionOf, setLongTimer, type WorldContext } from './world-context.js';
import type { SimInstance } from './world-records.js';

export type FaultKind =
  | 'region-down'
  | 'server-errors'
  | 'throttling-storm'
  | 'pool-exhausted'
  | 'interruption-wave'
  | 'price-spike';

export interface ActiveFault {
  id: number;
  kind: FaultKind;
  region?: string;
  from: number;
  /** Infinity until cleared. */
  until: number;
  /** Share of matching requests that fail (HTTP-level faults). */
  probability: number;
  /** region-down: answer 503 `Unavailable`, or drop the connection. */
  mode?: 'unavailable' | 'connection-reset';
  /** server-errors: the code answered. */
  code?: 'InternalError' | 'Unavailable';
}

/** Where a pool fault applies: a region, optionally narrowed to a zone and/or an instance type. */
export interface PoolScope {
  region: string;
  zone?: string;
  instanceType?: string;
}

/** What the HTTP layer must do with a request because of an active fault. */
export type HttpFaultOutcome = { kind: 'drop-connection' } | { kind: 'error'; error: Ec2ApiError };

/** Faults injected at run time; each is logged when it starts and when it ends. */
export class FaultInjector {
  private readonly faults: ActiveFault[] = [];
  /** Shortens a fault's pool or price override when the fault is cleared early. */
  private readonly onEnd = new Map<number, (now: number) => void>();
  private nextId = 1;

  constructor(
    private readonly context: WorldContext,
    private readonly lifecycle: InstanceLifecycle,
  ) {}

  regionDown(options: { region: string; durationMs?: number; mode?: 'unavailable' | 'connection-reset' }) {
    regionOf(this.context, options.region);
    return this.start('region-down', options.region, options.durationMs, {
      probability: 1,
      mode: options.mode ?? 'unavailable',
    });
  }

  serverErrors(options: {
    region?: string;
    durationMs: number;
    probability?: number;
    code?: ActiveFault['code'];
  }) {
    return this.start('server-errors', options.region, options.durationMs, {
      probability: options.probability ?? 1,
      code: options.code ?? 'InternalError',
    });
  }

  throttlingStorm(options: { region?: string; durationMs: number; probability?: number }) {
    return this.start('throttling-storm', options.region, options.durationMs, {
      probability: options.probability ?? 1,
    });
  }

  /** Pools in scope hold no more than `capacity` (default 0) instances for a while. */
  exhaustPool(options: PoolScope & { durationMs?: number; capacity?: number }): ActiveFault {
    regionOf(this.context, options.region);
    const fault = this.start(
      'pool-exhausted',
      options.region,
      options.durationMs,
      { probability: 1 },
      options,
    );
    const override = { ...options, capacity: options.capacity ?? 0, from: fault.from, until: fault.until };
    this.context.pools.addOverride(override);
    this.onEnd.set(fault.id, (now) => {
      override.until = now;
    });
    return fault;
  }

  /** Interrupts `fraction` (default all) of the live spot instances in scope, with the usual notice. */
  interruptionWave(
    options: PoolScope & { fraction?: number; noticeMs?: number },
  ): ActiveFault & { instanceIds: string[] } {
    const store = regionOf(this.context, options.region);
    const live: SimInstance[] = [];
    for (const instance of store.instances.values()) {
      if (instance.market === 'spot' && inScope(instance, options) && isLive(instance)) live.push(instance);
    }
    const chosen = pickSome(live, Math.round((options.fraction ?? 1) * live.length), () =>
      this.context.random.faults.next(),
    );
    const notice = options.noticeMs ?? this.context.scenario.delays.interruptionNoticeMs;
    const fault = this.start('interruption-wave', options.region, 0, { probability: 1 }, options);
    for (const instance of chosen) this.lifecycle.interrupt(instance, notice, 'spot-capacity');
    return { ...fault, instanceIds: chosen.map((instance) => instance.instanceId) };
  }

  /** Multiplies (or sets) spot prices in scope; spot instances whose max price is now too low are interrupted. */
  priceSpike(options: PoolScope & { durationMs?: number; multiplier?: number; price?: number }): ActiveFault {
    const store = regionOf(this.context, options.region);
    const fault = this.start('price-spike', options.region, options.durationMs, { probability: 1 }, options);
    const override = {
      ...options,
      from: fault.from,
      until: fault.until,
      ...(options.multiplier === undefined ? {} : { multiplier: options.multiplier }),
      ...(options.price === undefined ? {} : { price: options.price }),
    };
    this.context.market.addOverride(override);
    this.onEnd.set(fault.id, (now) => {
      override.until = now;
    });
    const now = this.context.clock.now();
    for (const instance of store.instances.values()) {
      if (instance.market !== 'spot' || !isLive(instance) || !inScope(instance, options)) continue;
      const price = this.context.market.price(instance.region, instance.zone, instance.instanceType, now);
      if (price !== undefined && price > (instance.maxPrice ?? Number.POSITIVE_INFINITY)) {
        this.lifecycle.interrupt(instance, this.context.scenario.delays.interruptionNoticeMs, 'spot-price');
      }
    }
    return fault;
  }

  /** Ends a fault early. */
  clear(id: number): boolean {
    const fault = this.faults.find((candidate) => candidate.id === id);
    if (fault === undefined || fault.until <= this.context.clock.now()) return false;
    this.end(fault);
    return true;
  }

  active(): ActiveFault[] {
    const now = this.context.clock.now();
    return this.faults.filter((fault) => fault.until > now).map((fault) => ({ ...fault }));
  }

  /** The fault outcome of one API request, if any (HTTP-level faults only). */
  httpOutcome(region: string, action: string): HttpFaultOutcome | undefined {
    const now = this.context.clock.now();
    for (const fault of this.faults) {
      if (fault.until <= now || (fault.region !== undefined && fault.region !== region)) continue;
      if (fault.kind === 'region-down') {
        if (fault.mode === 'connection-reset') return { kind: 'drop-connection' };
        return {
          kind: 'error',
          error: ec2Error('Unavailable', 'The service is unavailable. Please try again shortly.'),
        };
      }
      if (fault.kind === 'server-errors' && this.context.random.faults.chance(fault.probability)) {
        const error =
          fault.code === 'Unavailable'
            ? ec2Error('Unavailable', 'The service is unavailable. Please try again shortly.')
            : ec2Error('InternalError', 'An internal error has occurred');
        return { kind: 'error', error };
      }
      if (fault.kind === 'throttling-storm' && this.context.random.faults.chance(fault.probability)) {
        return {
          kind: 'error',
          error: ec2Error('RequestLimitExceeded', `Request limit exceeded. (${action})`),
        };
      }
    }
    return undefined;
  }

  private start(
    kind: FaultKind,
    region: string | undefined,
    durationMs: number | undefined,
    extra: Pick<ActiveFault, 'probability' | 'mode' | 'code'>,
    scope: Partial<PoolScope> = {},
  ): ActiveFault {
    const { clock, events } = this.context;
    const from = clock.now();
    const until = durationMs === undefined ? Number.POSITIVE_INFINITY : from + Math.max(0, durationMs);
    const fault: ActiveFault = {
      id: this.nextId++,
      kind,
      ...(region === undefined ? {} : { region }),
      from,
      until,
      ...extra,
    };
    this.faults.push(fault);
    events.record('fault-started', { ...scope, ...fault, until: Number.isFinite(until) ? until : null });
    if (Number.isFinite(until) && until > from) setLongTimer(clock, until - from, () => this.end(fault));
    return fault;
  }

  private end(fault: ActiveFault): void {
    const now = this.context.clock.now();
    if (fault.until < now) return;
    fault.until = now;
    this.onEnd.get(fault.id)?.(now);
    this.onEnd.delete(fault.id);
    this.context.events.record('fault-ended', {
      ...(fault.region === undefined ? {} : { region: fault.region }),
      faultId: fault.id,
      kind: fault.kind,
    });
  }
}

function isLive(instance: SimInstance): boolean {
  return instance.state === 'pending' || instance.state === 'running';
}

function inScope(instance: SimInstance, scope: PoolScope): boolean {
  return (
    (scope.zone === undefined || scope.zone === instance.zone) &&
    (scope.instanceType === undefined || scope.instanceType === instance.instanceType)
  );
}

/** `count` items chosen uniformly without replacement (partial Fisher-Yates), in their original order. */
function pickSome<T>(items: T[], count: number, next: () => number): T[] {
  const indexes = items.map((_, i) => i);
  for (let i = 0; i < count && i < indexes.length; i++) {
    const j = i + Math.floor(next() * (indexes.length - i));
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => items[i] as T);
}

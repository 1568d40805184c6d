import type { Ec2CallEvent } from '../src/ec2/ec2-gateway.js';

export interface CallCounts {
  /** Attempts, retries included. */
  calls: number;
  throttled: number;
  failed: number;
}

/** EC2 call attempts as the gateway reports them (its `onCall`), in total, per region and per action. */
export class Ec2CallTally {
  readonly total: CallCounts = { calls: 0, throttled: 0, failed: 0 };
  readonly byRegion = new Map<string, CallCounts>();
  readonly byAction = new Map<string, CallCounts>();

  record(event: Ec2CallEvent): void {
    for (const counts of [
      this.total,
      entry(this.byRegion, event.region),
      entry(this.byAction, event.action),
    ]) {
      counts.calls += 1;
      if (event.outcome === 'throttled') counts.throttled += 1;
      else if (event.outcome !== 'ok') counts.failed += 1;
    }
  }

  /** A copy of the counts so far, to subtract from later ones. */
  snapshot(): TallySnapshot {
    return {
      total: { ...this.total },
      byRegion: Object.fromEntries([...this.byRegion].map(([k, v]) => [k, { ...v }])),
      byAction: Object.fromEntries([...this.byAction].map(([k, v]) => [k, { ...v }])),
    };
  }
}

export interface TallySnapshot {
  total: CallCounts;
  byRegion: Record<string, CallCounts>;
  byAction: Record<string, CallCounts>;
}

/** What happened between two snapshots. */
export function tallyDifference(after: TallySnapshot, before: TallySnapshot): TallySnapshot {
  const minus = (a: CallCounts, b: CallCounts | undefined): CallCounts => ({
    calls: a.calls - (b?.calls ?? 0),
    throttled: a.throttled - (b?.throttled ?? 0),
    failed: a.failed - (b?.failed ?? 0),
  });
  const each = (a: Record<string, CallCounts>, b: Record<string, CallCounts>) =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, minus(v, b[k])]));
  return {
    total: minus(after.total, before.total),
    byRegion: each(after.byRegion, before.byRegion),
    byAction: each(after.byAction, before.byAction),
  };
}

function entry(map: Map<string, CallCounts>, key: string): CallCounts {
  let counts = map.get(key);
  if (counts === undefined) {
    counts = { calls: 0, throttled: 0, failed: 0 };
    map.set(key, counts);
  }
  return counts;
}

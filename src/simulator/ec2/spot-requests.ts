import { Ec2ApiError } from './ec2-api-error.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { placeInstances } from './launch-planner.js';
import type { RegionStore } from './region-store.js';
import { setLongTimer, type WorldContext } from './world-context.js';
import type { LaunchSpec, SimInstance, SimSpotRequest, Tags, TerminationCause } from './world-records.js';

export interface SpotRequestInput {
  spec: LaunchSpec;
  maxPrice: number;
  type: 'one-time' | 'persistent';
  validUntil?: number;
  tags: Tags;
  clientToken?: string;
}

const STATUS_MESSAGES: Record<string, string> = {
  'pending-evaluation': 'Your Spot request has been submitted for review, and is pending evaluation.',
  fulfilled: 'Your spot request is fulfilled.',
  'capacity-not-available': 'There is no Spot capacity available that matches your request.',
  'instance-terminated-by-user': 'Spot Instance terminated due to user-initiated termination.',
  'instance-terminated-by-price':
    'Your Spot Instance was terminated because the Spot price rose above your maximum price.',
  'instance-terminated-no-capacity':
    'Your Spot Instance was terminated because there was no Spot capacity available.',
  'canceled-before-fulfillment': 'Your Spot request was canceled before it was fulfilled.',
  'request-canceled-and-instance-running': 'Spot request was canceled, but the instance is still running.',
  'schedule-expired': 'Your Spot request has expired.',
};

const STATUS_BY_CAUSE: Record<TerminationCause, string> = {
  user: 'instance-terminated-by-user',
  instance: 'instance-terminated-by-user',
  'spot-price': 'instance-terminated-by-price',
  'spot-capacity': 'instance-terminated-no-capacity',
};

/** Spot instance requests: from RequestSpotInstances (evaluated over time) and from spot RunInstances. */
export class SpotRequestBook {
  private nextSeq = 1;

  constructor(
    private readonly context: WorldContext,
    private readonly lifecycle: InstanceLifecycle,
  ) {
    lifecycle.onSpotInstanceEnded = (instance, cause) => this.instanceEnded(instance, cause);
  }

  /** A new open request, evaluated after a short delay. */
  open(store: RegionStore, input: SpotRequestInput): SimSpotRequest {
    const request = this.create(store, input, 'open', 'pending-evaluation');
    store.spotInUse++;
    const { clock, random, scenario } = this.context;
    request.cancelTimers.push(
      setLongTimer(clock, random.delay(scenario.delays.spotEvaluation), () => this.evaluate(request)),
    );
    return request;
  }

  /** The request behind a spot RunInstances: active and fulfilled from the start. */
  fulfilled(store: RegionStore, input: SpotRequestInput): SimSpotRequest {
    return this.create(store, input, 'active', 'fulfilled');
  }

  /** Cancels one request; returns its state afterwards. */
  cancel(store: RegionStore, request: SimSpotRequest): SimSpotRequest['state'] {
    if (request.state === 'open') {
      store.spotInUse--;
      this.setStatus(request, 'cancelled', 'canceled-before-fulfillment');
    } else if (request.state === 'active') {
      this.setStatus(request, 'cancelled', 'request-canceled-and-instance-running');
    } else {
      return request.state;
    }
    this.context.events.record('spot-request-cancelled', {
      region: store.name,
      spotRequestId: request.spotRequestId,
    });
    this.retire(request);
    return request.state;
  }

  private create(store: RegionStore, input: SpotRequestInput, state: 'open' | 'active', status: string) {
    const { clock, random, scenario, events } = this.context;
    const now = clock.now();
    let spotRequestId: string;
    do spotRequestId = `sir-${random.ids.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789')}`;
    while (this.context.spotRequestsById.has(spotRequestId));
    const request: SimSpotRequest = {
      seq: this.nextSeq++,
      spotRequestId,
      region: store.name,
      state,
      statusCode: status,
      statusMessage: STATUS_MESSAGES[status] ?? status,
      statusUpdateTime: now,
      createTime: now,
      visibleAt: now + random.delay(scenario.delays.spotRequestVisibility),
      type: input.type,
      maxPrice: input.maxPrice,
      spec: input.spec,
      validUntil: input.validUntil ?? now + 7 * 24 * 3600_000,
      ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
      tags: input.tags,
      cancelTimers: [],
    };
    store.spotRequests.add(request);
    this.context.spotRequestsById.set(spotRequestId, request);
    events.record('spot-request-created', {
      region: store.name,
      spotRequestId,
      instanceType: input.spec.instanceType,
      maxPrice: input.maxPrice,
    });
    return request;
  }

  private evaluate(request: SimSpotRequest): void {
    if (request.state !== 'open') return;
    const store = this.context.regions.get(request.region);
    if (store === undefined) return;
    const { clock, scenario } = this.context;
    if (clock.now() >= request.validUntil) {
      store.spotInUse--;
      this.setStatus(request, 'closed', 'schedule-expired');
      this.retire(request);
      return;
    }
    store.spotInUse--; // this request's own unit becomes the instance's, if it launches
    try {
      const placement = placeInstances(this.context, {
        store,
        instanceType: request.spec.instanceType,
        ...(request.spec.zone === undefined ? {} : { zone: request.spec.zone }),
        minCount: 1,
        maxCount: 1,
        market: 'spot',
        maxPrice: request.maxPrice,
      });
      const instance = this.lifecycle.launch({
        store,
        spec: request.spec,
        zone: placement.zone,
        reservationId: `r-${this.context.random.ids.hex(17)}`,
        amiLaunchIndex: 0,
        market: 'spot',
        spotRequestId: request.spotRequestId,
        maxPrice: request.maxPrice,
        tags: new Map(),
      });
      request.instanceId = instance.instanceId;
      request.launchedZone = placement.zone.name;
      this.setStatus(request, 'active', 'fulfilled');
    } catch (error) {
      store.spotInUse++;
      const status = statusOfFailure(error);
      this.setStatus(request, status === 'bad-parameters' ? 'failed' : 'open', status, messageOf(error));
      if (request.state === 'open') {
        request.cancelTimers.push(
          setLongTimer(clock, scenario.delays.spotReevaluationMs, () => this.evaluate(request)),
        );
      } else {
        store.spotInUse--;
        this.retire(request);
      }
    }
  }

  private instanceEnded(instance: SimInstance, cause: TerminationCause): void {
    const request =
      instance.spotRequestId === undefined
        ? undefined
        : this.context.spotRequestsById.get(instance.spotRequestId);
    if (request === undefined) return;
    const status = STATUS_BY_CAUSE[cause];
    if (request.state === 'cancelled') {
      this.setStatus(request, 'cancelled', status);
    } else if (request.state === 'active' && request.type === 'persistent') {
      const store = this.context.regions.get(request.region);
      if (store !== undefined) store.spotInUse++;
      this.setStatus(request, 'open', status);
      const { clock, random, scenario } = this.context;
      request.cancelTimers.push(
        setLongTimer(clock, random.delay(scenario.delays.spotEvaluation), () => this.evaluate(request)),
      );
    } else if (request.state === 'active') {
      this.setStatus(request, 'closed', status);
      this.retire(request);
    }
  }

  private setStatus(
    request: SimSpotRequest,
    state: SimSpotRequest['state'],
    status: string,
    message?: string,
  ) {
    const changed = request.state !== state || request.statusCode !== status;
    request.state = state;
    request.statusCode = status;
    request.statusMessage = message ?? STATUS_MESSAGES[status] ?? status;
    request.statusUpdateTime = this.context.clock.now();
    if (changed) {
      this.context.events.record('spot-request-status', {
        region: request.region,
        spotRequestId: request.spotRequestId,
        state,
        status,
      });
    }
  }

  /** Closed and cancelled requests stay describable for a while, then vanish. */
  private retire(request: SimSpotRequest): void {
    for (const cancel of request.cancelTimers.splice(0)) cancel();
    const { clock, scenario } = this.context;
    setLongTimer(clock, scenario.delays.closedRequestRetentionMs, () => {
      const store = this.context.regions.get(request.region);
      store?.spotRequests.remove(request);
      store?.forgetTokenOf(request);
      this.context.spotRequestsById.delete(request.spotRequestId);
    });
  }
}

function statusOfFailure(error: unknown): string {
  const code = error instanceof Ec2ApiError ? error.code : 'InternalError';
  if (code === 'SpotMaxPriceTooLow') return 'price-too-low';
  if (code === 'InsufficientInstanceCapacity' || code === 'MaxSpotInstanceCountExceeded') {
    return 'capacity-not-available';
  }
  return 'bad-parameters';
}

function messageOf(error: unknown): string | undefined {
  return error instanceof Error && statusOfFailure(error) === 'price-too-low' ? error.message : undefined;
}

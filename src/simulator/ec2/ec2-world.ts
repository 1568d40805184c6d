import { InstanceCatalog } from '../../catalog/instance-catalog.js';
import type { Clock } from '../../clock/clock.js';
import type { Ec2Instance } from '../../ec2/ec2-port.js';
import { hashString, Random } from '../random.js';
import { CapacityPools } from './capacity-pools.js';
import { EventLog } from './event-log.js';
import { FaultInjector } from './fault-injector.js';
import { InstanceLifecycle } from './instance-lifecycle.js';
import { LaunchService } from './launch-service.js';
import { RegionStore } from './region-store.js';
import { ResourceManager } from './resource-manager.js';
import { type Ec2Scenario, resolveScenario, type ScenarioInput } from './scenario.js';
import { SpotMarket } from './spot-market.js';
import { SpotPriceTrace } from './spot-price-trace.js';
import { SpotRequestBook } from './spot-requests.js';
import {
  type InstanceListener,
  instanceSnapshot,
  regionOf,
  type WorldContext,
  WorldRandom,
} from './world-context.js';
import type { SimInstance, SimSpotRequest } from './world-records.js';

export interface Ec2WorldOptions {
  clock: Clock;
  /** Partial scenario; everything missing takes its default. */
  scenario?: ScenarioInput;
  catalog?: InstanceCatalog;
  /** Already loaded SpotLake prices; `Ec2World.create` loads `scenario.prices.tracePath` itself. */
  priceTrace?: SpotPriceTrace;
}

/**
 * The simulated EC2 of every region: resources, instances and spot requests moving on an injected clock,
 * reproducible from the scenario's seed. The HTTP layer (`createEc2HttpHandler`) speaks EC2's Query API
 * over it; simulated workers and a queue simulator use the hooks (`onInstanceEvent`, `userData`,
 * `shutdownFromInside`) in-process.
 */
export class Ec2World {
  readonly scenario: Ec2Scenario;
  readonly clock: Clock;
  readonly catalog: InstanceCatalog;
  readonly events: EventLog;
  readonly resources: ResourceManager;
  readonly launches: LaunchService;
  readonly faults: FaultInjector;
  readonly market: SpotMarket;
  /** The time the world started (model prices begin here; a trace's first instant maps here). */
  readonly startTime: number;
  private readonly context: WorldContext;
  private readonly lifecycle: InstanceLifecycle;
  private readonly listeners = new Set<InstanceListener>();

  constructor(options: Ec2WorldOptions) {
    this.scenario = resolveScenario(options.scenario);
    if (this.scenario.prices.tracePath !== undefined && options.priceTrace === undefined) {
      throw new Error(
        'This scenario reads spot prices from a trace file: build the world with Ec2World.create()',
      );
    }
    this.clock = options.clock;
    this.catalog = options.catalog ?? new InstanceCatalog();
    this.startTime = this.clock.now();
    this.events = new EventLog(() => this.clock.now(), this.scenario.eventLog.maxEvents);
    const regions = new Map(
      this.scenario.regions.map((region) => [region.name, new RegionStore(region, vpcIdOf(region.name))]),
    );
    this.market = new SpotMarket({
      catalog: this.catalog,
      scenario: this.scenario,
      start: this.startTime,
      ...(options.priceTrace === undefined ? {} : { trace: options.priceTrace }),
      zoneIdOf: (region, zone) => regions.get(region)?.zoneIdOf(zone),
    });
    this.context = {
      clock: this.clock,
      scenario: this.scenario,
      catalog: this.catalog,
      events: this.events,
      market: this.market,
      pools: new CapacityPools(this.scenario),
      random: new WorldRandom(this.scenario.seed),
      regions,
      instancesById: new Map<string, SimInstance>(),
      spotRequestsById: new Map<string, SimSpotRequest>(),
      emit: (event) => {
        for (const listener of [...this.listeners]) listener(event);
      },
    };
    this.lifecycle = new InstanceLifecycle(this.context);
    this.resources = new ResourceManager(this.context);
    this.launches = new LaunchService(
      this.context,
      this.lifecycle,
      new SpotRequestBook(this.context, this.lifecycle),
    );
    this.faults = new FaultInjector(this.context, this.lifecycle);
    this.seedResources();
  }

  /** Builds a world, first loading the scenario's spot price trace file if it names one. */
  static async create(options: Ec2WorldOptions): Promise<Ec2World> {
    const tracePath = resolveScenario(options.scenario).prices.tracePath;
    const priceTrace =
      options.priceTrace ?? (tracePath === undefined ? undefined : await SpotPriceTrace.load(tracePath));
    return new Ec2World({ ...options, ...(priceTrace === undefined ? {} : { priceTrace }) });
  }

  regionNames(): string[] {
    return [...this.context.regions.keys()];
  }

  hasRegion(region: string): boolean {
    return this.context.regions.has(region);
  }

  /** The region's store; fails with `AuthFailure` for a region this world does not have. */
  region(region: string): RegionStore {
    return regionOf(this.context, region);
  }

  /** Subscribes to instance events (running, interruption warning, shutting down, terminated). */
  onInstanceEvent(listener: InstanceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  instance(instanceId: string): Ec2Instance | undefined {
    const instance = this.context.instancesById.get(instanceId);
    return instance === undefined ? undefined : instanceSnapshot(instance);
  }

  /** Every instance still known (terminated ones until they vanish), optionally of one region. */
  listInstances(region?: string): Ec2Instance[] {
    const stores = region === undefined ? [...this.context.regions.values()] : [this.region(region)];
    return stores.flatMap((store) => [...store.instances.values()].map(instanceSnapshot));
  }

  /** How many instances (terminated ones until they vanish) are in each state, without copying any. */
  countInstances(): Partial<Record<Ec2Instance['state'], number>> {
    const counts: Partial<Record<Ec2Instance['state'], number>> = {};
    for (const store of this.context.regions.values())
      for (const instance of store.instances.values())
        counts[instance.state] = (counts[instance.state] ?? 0) + 1;
    return counts;
  }

  /** The instance's user data, decoded from base64 (what a worker reads from the metadata service). */
  userData(instanceId: string): string | undefined {
    const encoded = this.context.instancesById.get(instanceId)?.userData;
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  }

  /** A worker shutting its own host down: `Client.InstanceInitiatedShutdown`. False if it is not live. */
  shutdownFromInside(instanceId: string): boolean {
    const instance = this.context.instancesById.get(instanceId);
    if (instance === undefined || (instance.state !== 'pending' && instance.state !== 'running'))
      return false;
    this.lifecycle.terminate(instance, 'instance');
    return true;
  }

  /** The current spot price of a pool, USD per hour. */
  spotPrice(region: string, zone: string, instanceType: string): number | undefined {
    return this.market.price(region, zone, instanceType, this.clock.now());
  }

  /** A request id for an API answer (a UUID drawn from the seed). */
  newRequestId(): string {
    const random = this.context.random.requestIds;
    const hex = random.hex(32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  private seedResources(): void {
    for (const region of this.scenario.regions) {
      this.resources.createSecurityGroup(region.name, {
        groupName: 'default',
        description: 'default VPC security group',
      });
      for (const name of region.securityGroups) {
        if (name !== 'default')
          this.resources.createSecurityGroup(region.name, { groupName: name, description: name });
      }
      for (const image of region.images) this.resources.registerImage(region.name, image);
    }
  }
}

function vpcIdOf(region: string): string {
  return `vpc-${new Random(hashString(`vpc/${region}`)).hex(17)}`;
}

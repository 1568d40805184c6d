import type { Clock } from '../clock/clock.js';
import { keyPairName } from '../domain/key-pair-name.js';
import { type LaunchSpecPreview, launchSpecPreview } from '../domain/launch-spec.js';
import { launchSpecProblems } from '../domain/launch-spec-rules.js';
import { definitionOf, type WorkerType, type WorkerTypeDefinition } from '../domain/worker-type.js';
import { Ec2Error, type Ec2Port } from '../ec2/ec2-port.js';
import { InvalidInputError, UnavailableError } from '../errors.js';
import { slugid } from '../slugid.js';
import { notFound, type WorkerTypeStore } from '../store/worker-type-store.js';
import { launchabilityProblems } from './launchability.js';

export interface WorkerTypeServiceOptions {
  allowedRegions: readonly string[];
  awsKeyPrefix: string;
  awsInstancePubkey: string | undefined;
  provisionerId: string;
  /** `<public URL>/v1`: written into user data as `provisionerBaseUrl`. */
  provisionerBaseUrl: string;
  taskclusterRootUrl: string;
}

/**
 * The worker type use cases of the API. Create and update check the definition (schema aside): regions
 * allowed, launch-spec rules, AMIs and security groups in EC2, then ensure the worker type's key pair in
 * each region, and only then store it, so a refused definition leaves nothing behind.
 */
export class WorkerTypeService {
  constructor(
    private readonly store: WorkerTypeStore,
    private readonly ec2: Ec2Port,
    private readonly clock: Clock,
    private readonly options: WorkerTypeServiceOptions,
  ) {}

  async get(name: string): Promise<WorkerType> {
    const workerType = await this.store.get(name);
    if (!workerType) throw notFound(name);
    return workerType;
  }

  async create(name: string, definition: WorkerTypeDefinition, changedBy: string): Promise<WorkerType> {
    await this.prepare(name, definition);
    const { workerType } = await this.store.create(name, definition, changedBy, this.now());
    return workerType;
  }

  /** The definition an update with these supplied keys would store (keys not supplied are kept). */
  async merged(name: string, supplied: Partial<WorkerTypeDefinition>): Promise<WorkerTypeDefinition> {
    return { ...definitionOf(await this.get(name)), ...supplied };
  }

  async update(
    name: string,
    supplied: Partial<WorkerTypeDefinition>,
    changedBy: string,
  ): Promise<WorkerType> {
    await this.prepare(name, await this.merged(name, supplied));
    return this.store.update(name, (stored) => ({ ...stored, ...supplied }), changedBy, this.now());
  }

  async remove(name: string, changedBy: string): Promise<boolean> {
    return this.store.remove(name, changedBy, this.now());
  }

  async rollback(name: string, version: number, changedBy: string): Promise<WorkerType> {
    const target = (await this.store.versions(name)).find((v) => v.version === version);
    if (target?.definition) await this.prepare(name, target.definition);
    return this.store.rollback(name, version, changedBy, this.now());
  }

  names(): Promise<string[]> {
    return this.store.names();
  }

  versions(name: string) {
    return this.store.versions(name);
  }

  async launchSpecs(name: string): Promise<LaunchSpecPreview> {
    const workerType = await this.get(name);
    return launchSpecPreview(definitionOf(workerType), name, workerType.lastModified, {
      keyName: keyPairName(this.options.awsKeyPrefix, name, this.options.awsInstancePubkey),
      provisionerId: this.options.provisionerId,
      provisionerBaseUrl: this.options.provisionerBaseUrl,
      taskclusterRootUrl: this.options.taskclusterRootUrl,
      now: this.clock.now(),
      newSecurityToken: slugid,
    });
  }

  private async prepare(name: string, definition: WorkerTypeDefinition): Promise<void> {
    const problems = [...this.regionProblems(definition), ...launchSpecProblems(definition)];
    if (problems.length === 0) problems.push(...(await launchabilityProblems(this.ec2, definition)));
    if (problems.length > 0) {
      throw new InvalidInputError(`Invalid workerType: ${problems.join('; ')}`, problems);
    }
    await this.ensureKeyPairs(name, definition);
  }

  private regionProblems(definition: WorkerTypeDefinition): string[] {
    const allowed = new Set(this.options.allowedRegions);
    return definition.regions
      .map((r, index) => ({ region: r.region, index }))
      .filter(({ region }) => !allowed.has(region))
      .map(
        ({ region, index }) =>
          `regions[${index}]: ${region} is not one of this service's allowed regions (${[...allowed].join(', ')})`,
      );
  }

  private async ensureKeyPairs(name: string, definition: WorkerTypeDefinition): Promise<void> {
    const keyName = keyPairName(this.options.awsKeyPrefix, name, this.options.awsInstancePubkey);
    try {
      await Promise.all(
        definition.regions.map((r) =>
          this.ec2.ensureKeyPair(r.region, keyName, this.options.awsInstancePubkey),
        ),
      );
    } catch (error) {
      if (error instanceof Ec2Error) {
        throw new UnavailableError(
          `Could not ensure key pair ${keyName} (${error.message}); nothing was saved`,
        );
      }
      throw error;
    }
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

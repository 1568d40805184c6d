import type { Instance, RunInstancesCommandInput, SpotInstanceRequest, Tag } from '@aws-sdk/client-ec2';
import type {
  Ec2Instance,
  Ec2SpotRequest,
  InstanceState,
  LaunchRequest,
  SpotRequestState,
} from './ec2-port.js';

/** Keys of the RequestSpotInstances vocabulary (spec §C.3) that RunInstances takes as they are. */
const SAME_IN_RUN_INSTANCES = [
  'ImageId',
  'InstanceType',
  'KeyName',
  'SecurityGroups',
  'SecurityGroupIds',
  'BlockDeviceMappings',
  'EbsOptimized',
  'IamInstanceProfile',
  'KernelId',
  'RamdiskId',
  'NetworkInterfaces',
  'Placement',
  'SubnetId',
  'UserData',
] as const;

/**
 * A launch request as RunInstances input. Worker type launch specs use the RequestSpotInstances vocabulary:
 * `MonitoringEnabled` becomes `Monitoring.Enabled`; `AddressingType` (EC2-Classic only) has no RunInstances
 * equivalent and is dropped.
 */
export function toRunInstancesInput(request: LaunchRequest): RunInstancesCommandInput {
  const spec = request.launchSpec;
  const input: Record<string, unknown> = {};
  for (const key of SAME_IN_RUN_INSTANCES) if (spec[key] !== undefined) input[key] = spec[key];
  if (spec.MonitoringEnabled !== undefined) input.Monitoring = { Enabled: Boolean(spec.MonitoringEnabled) };
  const tags: Tag[] = Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }));
  return {
    ...(input as Partial<RunInstancesCommandInput>),
    MinCount: 1,
    MaxCount: 1,
    ClientToken: request.clientToken,
    // Workers shut their host down when idle; EC2's default for an EBS-backed on-demand instance is to stop
    // it, and a stopped instance is never counted, started again or cleaned up: it would be left for ever.
    InstanceInitiatedShutdownBehavior: 'terminate',
    // A spot launch creates a spot request: tagged too, so describes by tag (stuck-request cleanup) find it.
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
      ...(request.market === 'spot' ? [{ ResourceType: 'spot-instances-request' as const, Tags: tags }] : []),
    ],
    ...(request.market === 'spot'
      ? {
          InstanceMarketOptions: {
            MarketType: 'spot',
            SpotOptions: {
              SpotInstanceType: 'one-time',
              InstanceInterruptionBehavior: 'terminate',
              ...(request.maxPrice !== undefined ? { MaxPrice: request.maxPrice.toFixed(6) } : {}),
            },
          },
        }
      : {}),
  } as RunInstancesCommandInput;
}

function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** EC2 writes the time of user-initiated transitions as `... (2024-01-01 12:00:00 GMT)`. */
export function transitionTime(reason: string | undefined): number | undefined {
  const match = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return match ? Date.parse(`${match[1]}T${match[2]}Z`) : undefined;
}

export function toInstance(region: string, instance: Instance): Ec2Instance {
  const transitionAt = transitionTime(instance.StateTransitionReason);
  return {
    instanceId: instance.InstanceId ?? '',
    region,
    zone: instance.Placement?.AvailabilityZone ?? '',
    instanceType: instance.InstanceType ?? '',
    imageId: instance.ImageId ?? '',
    state: (instance.State?.Name ?? 'pending') as InstanceState,
    launchTime: instance.LaunchTime?.getTime() ?? 0,
    market: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    tags: tagsOf(instance.Tags),
    ...(instance.SpotInstanceRequestId ? { spotRequestId: instance.SpotInstanceRequestId } : {}),
    ...(instance.ClientToken ? { clientToken: instance.ClientToken } : {}),
    ...(instance.StateReason?.Code
      ? { stateReason: { code: instance.StateReason.Code, message: instance.StateReason.Message ?? '' } }
      : {}),
    ...(transitionAt !== undefined ? { stateTransitionAt: transitionAt } : {}),
  };
}

export function toSpotRequest(region: string, request: SpotInstanceRequest): Ec2SpotRequest {
  return {
    spotRequestId: request.SpotInstanceRequestId ?? '',
    region,
    instanceType: request.LaunchSpecification?.InstanceType ?? '',
    state: (request.State ?? 'open') as SpotRequestState,
    statusCode: request.Status?.Code ?? '',
    createTime: request.CreateTime?.getTime() ?? 0,
    maxPrice: Number(request.SpotPrice ?? 0),
    tags: tagsOf(request.Tags),
    ...(request.LaunchedAvailabilityZone || request.LaunchSpecification?.Placement?.AvailabilityZone
      ? { zone: request.LaunchedAvailabilityZone ?? request.LaunchSpecification?.Placement?.AvailabilityZone }
      : {}),
    ...(request.InstanceId ? { instanceId: request.InstanceId } : {}),
  };
}

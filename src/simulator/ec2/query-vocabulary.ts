/**
 * The one table of parameters each simulated EC2 action accepts, in Query API form with `N` for list
 * indexes (`Filter.N.Value.N`). Taken from the EC2 API (as `@aws-sdk/client-ec2` serialises it); any
 * other parameter gets `UnknownParameter`, like EC2. Accepted is not modelled: most launch options
 * (block devices, network interfaces, ...) are validated for shape only and otherwise ignored.
 */

const FILTERS = ['Filter.N.Name', 'Filter.N.Value.N'];
const PAGING = ['MaxResults', 'NextToken'];
const TAG_SPECIFICATIONS = [
  'TagSpecification.N.ResourceType',
  'TagSpecification.N.Tag.N.Key',
  'TagSpecification.N.Tag.N.Value',
];

const EBS = [
  'DeleteOnTermination',
  'Iops',
  'SnapshotId',
  'VolumeSize',
  'VolumeType',
  'KmsKeyId',
  'Throughput',
  'OutpostArn',
  'AvailabilityZone',
  'Encrypted',
  'VolumeInitializationRate',
  'AvailabilityZoneId',
  'EbsCardIndex',
];
const BLOCK_DEVICE_MAPPING = [...EBS.map((name) => `Ebs.${name}`), 'NoDevice', 'DeviceName', 'VirtualName'];

const NETWORK_INTERFACE = [
  'AssociatePublicIpAddress',
  'DeleteOnTermination',
  'Description',
  'DeviceIndex',
  'SecurityGroupId.N',
  'Ipv6AddressCount',
  'Ipv6Addresses.N.Ipv6Address',
  'Ipv6Addresses.N.IsPrimaryIpv6',
  'NetworkInterfaceId',
  'PrivateIpAddress',
  'PrivateIpAddresses.N.Primary',
  'PrivateIpAddresses.N.PrivateIpAddress',
  'SecondaryPrivateIpAddressCount',
  'SubnetId',
  'AssociateCarrierIpAddress',
  'InterfaceType',
  'NetworkCardIndex',
  'Ipv4Prefix.N.Ipv4Prefix',
  'Ipv4PrefixCount',
  'Ipv6Prefix.N.Ipv6Prefix',
  'Ipv6PrefixCount',
  'PrimaryIpv6',
  'EnaSrdSpecification.EnaSrdEnabled',
  'EnaSrdSpecification.EnaSrdUdpSpecification.EnaSrdUdpEnabled',
  'ConnectionTrackingSpecification.TcpEstablishedTimeout',
  'ConnectionTrackingSpecification.UdpStreamTimeout',
  'ConnectionTrackingSpecification.UdpTimeout',
  'EnaQueueCount',
];

const under = (prefix: string, names: readonly string[]) => names.map((name) => `${prefix}.${name}`);

/** Shared by RunInstances and RequestSpotInstances' LaunchSpecification. */
const LAUNCH_BASICS = [
  'ImageId',
  'InstanceType',
  'KernelId',
  'KeyName',
  'RamdiskId',
  'SubnetId',
  'UserData',
  'EbsOptimized',
  'SecurityGroupId.N',
  'SecurityGroup.N',
  'Monitoring.Enabled',
  'Monitoring.MetricCategoryId.N',
  'IamInstanceProfile.Arn',
  'IamInstanceProfile.Name',
  ...under('BlockDeviceMapping.N', BLOCK_DEVICE_MAPPING),
  ...under('NetworkInterface.N', NETWORK_INTERFACE),
];

const RUN_INSTANCES = [
  ...LAUNCH_BASICS,
  'MinCount',
  'MaxCount',
  'ClientToken',
  'AdditionalInfo',
  'DisableApiStop',
  'DisableApiTermination',
  'InstanceInitiatedShutdownBehavior',
  'PrivateIpAddress',
  'EnablePrimaryIpv6',
  'Ipv6AddressCount',
  'Ipv6Address.N.Ipv6Address',
  'Ipv6Address.N.IsPrimaryIpv6',
  ...under('Placement', [
    'AvailabilityZone',
    'AvailabilityZoneId',
    'Affinity',
    'GroupName',
    'GroupId',
    'PartitionNumber',
    'HostId',
    'Tenancy',
    'SpreadDomain',
    'HostResourceGroupArn',
  ]),
  ...TAG_SPECIFICATIONS,
  'LaunchTemplate.LaunchTemplateId',
  'LaunchTemplate.LaunchTemplateName',
  'LaunchTemplate.Version',
  'InstanceMarketOptions.MarketType',
  ...under('InstanceMarketOptions.SpotOptions', [
    'MaxPrice',
    'SpotInstanceType',
    'BlockDurationMinutes',
    'ValidUntil',
    'InstanceInterruptionBehavior',
  ]),
  'ElasticGpuSpecification.N.Type',
  'ElasticInferenceAccelerator.N.Type',
  'ElasticInferenceAccelerator.N.Count',
  'CreditSpecification.CpuCredits',
  'CpuOptions.CoreCount',
  'CpuOptions.ThreadsPerCore',
  'CpuOptions.AmdSevSnp',
  'CpuOptions.NestedVirtualization',
  'CapacityReservationSpecification.CapacityReservationPreference',
  'CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId',
  'CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationResourceGroupArn',
  'HibernationOptions.Configured',
  'LicenseSpecification.N.LicenseConfigurationArn',
  ...under('MetadataOptions', [
    'HttpTokens',
    'HttpPutResponseHopLimit',
    'HttpEndpoint',
    'HttpProtocolIpv6',
    'InstanceMetadataTags',
  ]),
  'EnclaveOptions.Enabled',
  'PrivateDnsNameOptions.HostnameType',
  'PrivateDnsNameOptions.EnableResourceNameDnsARecord',
  'PrivateDnsNameOptions.EnableResourceNameDnsAAAARecord',
  'MaintenanceOptions.AutoRecovery',
  'NetworkPerformanceOptions.BandwidthWeighting',
  'Operator.Principal',
];

const REQUEST_SPOT_INSTANCES = [
  ...under('LaunchSpecification', [
    ...LAUNCH_BASICS,
    'AddressingType',
    'Placement.AvailabilityZone',
    'Placement.AvailabilityZoneId',
    'Placement.GroupName',
    'Placement.Tenancy',
  ]),
  ...TAG_SPECIFICATIONS,
  'InstanceInterruptionBehavior',
  'SpotPrice',
  'ClientToken',
  'InstanceCount',
  'Type',
  'ValidFrom',
  'ValidUntil',
  'LaunchGroup',
  'AvailabilityZoneGroup',
  'BlockDurationMinutes',
];

const REGISTER_IMAGE = [
  'Name',
  'ImageLocation',
  'BillingProduct.N',
  'BootMode',
  'TpmSupport',
  'UefiData',
  'ImdsSupport',
  ...TAG_SPECIFICATIONS,
  'Description',
  'Architecture',
  'KernelId',
  'RamdiskId',
  'RootDeviceName',
  'VirtualizationType',
  'SriovNetSupport',
  'EnaSupport',
  ...under('BlockDeviceMapping.N', BLOCK_DEVICE_MAPPING),
];

/** Action -> accepted parameters (besides Action, Version and DryRun, accepted everywhere). */
export const ACTION_PARAMETERS: Record<string, readonly string[]> = {
  DescribeRegions: ['RegionName.N', 'AllRegions', ...FILTERS],
  DescribeAvailabilityZones: ['ZoneName.N', 'ZoneId.N', 'AllAvailabilityZones', ...FILTERS],
  DescribeSpotPriceHistory: [
    'AvailabilityZone',
    'AvailabilityZoneId',
    'StartTime',
    'EndTime',
    'InstanceType.N',
    'ProductDescription.N',
    ...FILTERS,
    ...PAGING,
  ],
  DescribeImages: [
    'ExecutableBy.N',
    'ImageId.N',
    'Owner.N',
    'IncludeDeprecated',
    'IncludeDisabled',
    ...FILTERS,
    ...PAGING,
  ],
  RegisterImage: REGISTER_IMAGE,
  DescribeSecurityGroups: ['GroupId.N', 'GroupName.N', ...FILTERS, ...PAGING],
  CreateSecurityGroup: ['GroupDescription', 'GroupName', 'VpcId', ...TAG_SPECIFICATIONS],
  DescribeKeyPairs: ['KeyName.N', 'KeyPairId.N', 'IncludePublicKey', ...FILTERS],
  ImportKeyPair: ['KeyName', 'PublicKeyMaterial', ...TAG_SPECIFICATIONS],
  CreateKeyPair: ['KeyName', 'KeyType', 'KeyFormat', ...TAG_SPECIFICATIONS],
  DeleteKeyPair: ['KeyName', 'KeyPairId'],
  RunInstances: RUN_INSTANCES,
  DescribeInstances: ['InstanceId.N', 'IncludeManagedResources', ...FILTERS, ...PAGING],
  TerminateInstances: ['InstanceId.N', 'Force', 'SkipOsShutdown'],
  CreateTags: ['ResourceId.N', 'Tag.N.Key', 'Tag.N.Value'],
  RequestSpotInstances: REQUEST_SPOT_INSTANCES,
  DescribeSpotInstanceRequests: ['SpotInstanceRequestId.N', ...FILTERS, ...PAGING],
  CancelSpotInstanceRequests: ['SpotInstanceRequestId.N'],
};

const ALWAYS = ['Action', 'Version', 'DryRun'];

const ACCEPTED = new Map(
  Object.entries(ACTION_PARAMETERS).map(([action, names]) => [action, new Set([...ALWAYS, ...names])]),
);

export function isKnownAction(action: string): boolean {
  return ACCEPTED.has(action);
}

/** `Filter.3.Value.12` -> `Filter.N.Value.N`. */
export function parameterPattern(name: string): string {
  return name.replace(/\.\d+(?=\.|$)/g, '.N');
}

/** The first parameter the action does not accept, if any. */
export function firstUnknownParameter(action: string, names: Iterable<string>): string | undefined {
  const accepted = ACCEPTED.get(action);
  for (const name of names) {
    if (accepted === undefined || !accepted.has(parameterPattern(name))) return name;
  }
  return undefined;
}

/** JSON schemas of the worker type definition (spec §C), in and out. */

export const IDENTIFIER = {
  type: 'string',
  pattern: '^([a-zA-Z0-9-_]*)$',
  minLength: 1,
  maxLength: 38,
} as const;
const SCOPE = { type: 'string', pattern: '^[\\x20-\\x7e]*$' } as const;
const SCOPES = { type: 'array', items: SCOPE } as const;
/** Static secrets moved to the Secrets service in 2019; only `{}` is accepted. */
const EMPTY_SECRETS = {
  type: 'object',
  additionalProperties: false,
  description:
    'Deprecated: must be `{}`. Secrets live in the Secrets service under `worker-type:<provisionerId>/<workerType>`.',
} as const;
/** Any valid AWS region name; the service's ALLOWED_REGIONS limits which are accepted. */
const REGION_NAME = { type: 'string', pattern: '^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$' } as const;

export const instanceTypeConfiguration = {
  type: 'object',
  title: 'Instance Type Configuration',
  properties: {
    instanceType: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'EC2 instance type, e.g. `c5.xlarge`.',
    },
    capacity: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Tasks one instance runs concurrently; converts instances into capacity units.',
    },
    utility: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Relative performance; the spot price is divided by it to compare offers.',
    },
    launchSpec: { type: 'object', description: 'Launch specification entries for this instance type.' },
    secrets: EMPTY_SECRETS,
    userData: { type: 'object', description: 'User data entries for this instance type.' },
    scopes: { ...SCOPES, description: 'Scopes handed to workers of this instance type.' },
  },
  required: ['instanceType', 'capacity', 'utility', 'launchSpec', 'secrets', 'userData', 'scopes'],
  additionalProperties: false,
} as const;

export const regionConfiguration = {
  type: 'object',
  title: 'Region Configuration',
  properties: {
    region: { ...REGION_NAME, description: 'AWS region, e.g. `us-west-2`; must be one the service allows.' },
    launchSpec: {
      type: 'object',
      properties: {
        ImageId: { type: 'string', minLength: 1, description: 'The AMI to launch in this region.' },
      },
      required: ['ImageId'],
      description: 'Launch specification entries for this region; `ImageId` is required.',
    },
    secrets: EMPTY_SECRETS,
    userData: { type: 'object', description: 'User data entries for this region.' },
    scopes: { ...SCOPES, description: 'Scopes handed to workers in this region.' },
  },
  required: ['region', 'launchSpec', 'secrets', 'userData', 'scopes'],
  additionalProperties: false,
} as const;

export const availabilityZoneConfiguration = {
  type: 'object',
  title: 'Availability Zone Configuration',
  properties: {
    availabilityZone: { type: 'string', minLength: 1, description: 'e.g. `us-east-1c`.' },
    region: { ...REGION_NAME, description: 'The region containing this zone.' },
    launchSpec: {
      type: 'object',
      description: 'Launch specification entries for this zone, e.g. `SubnetId`.',
    },
    secrets: { ...EMPTY_SECRETS, default: {} },
    userData: { type: 'object', default: {}, description: 'User data entries for this zone.' },
  },
  required: ['region', 'availabilityZone', 'launchSpec'],
  additionalProperties: false,
} as const;

const definitionProperties = {
  description: { type: 'string', description: 'What this worker type is for (Markdown).' },
  owner: { type: 'string', description: 'Who to contact about this worker type.' },
  launchSpec: {
    type: 'object',
    description:
      'Launch specification shared by every region and instance type (no `ImageId`, `InstanceType`).',
  },
  userData: { type: 'object', description: "Placed under `data` in every instance's user data." },
  secrets: EMPTY_SECRETS,
  scopes: {
    ...SCOPES,
    description: 'Scopes handed to every worker of this type (with those of its regions and types).',
  },
  minCapacity: { type: 'number', minimum: 0, default: 0, description: 'Capacity units always kept.' },
  maxCapacity: {
    type: 'number',
    minimum: 0,
    description:
      'Capacity units the loop launches up to; an instance type of more than one unit may overshoot it by less than its capacity.',
  },
  scalingRatio: {
    type: 'number',
    description: 'Pending tasks tolerated, as a fraction of running capacity.',
  },
  minPrice: {
    type: 'number',
    minimum: 0,
    description: 'Lowest price per utility unit to pay, USD per hour.',
  },
  maxPrice: {
    type: 'number',
    minimum: 0,
    description: 'Highest price per utility unit to pay, USD per hour.',
  },
  canUseOndemand: { type: 'boolean', default: false, description: 'May on-demand instances be launched?' },
  canUseSpot: { type: 'boolean', default: true, description: 'May spot instances be launched?' },
  instanceTypes: { type: 'array', items: instanceTypeConfiguration, minItems: 1, uniqueItems: true },
  regions: { type: 'array', items: regionConfiguration, minItems: 1, uniqueItems: true },
  availabilityZones: { type: 'array', items: availabilityZoneConfiguration, uniqueItems: true, default: [] },
  maxHourlySpend: {
    type: 'number',
    minimum: 0,
    description: 'Beyond the original: the most this worker type may be planned to cost, USD per hour.',
  },
} as const;

export const createWorkerTypeRequest = {
  type: 'object',
  title: 'Create Worker Type Request',
  description:
    'A worker type definition. `workerType` comes from the URL and `lastModified` from the server.',
  properties: definitionProperties,
  required: [
    'description',
    'owner',
    'launchSpec',
    'userData',
    'secrets',
    'scopes',
    'maxCapacity',
    'scalingRatio',
    'minPrice',
    'maxPrice',
    'instanceTypes',
    'regions',
  ],
  additionalProperties: false,
} as const;

export const getWorkerTypeResponse = {
  type: 'object',
  title: 'Get Worker Type Response',
  properties: {
    workerType: { ...IDENTIFIER, description: 'The worker type name.' },
    lastModified: { type: 'string', format: 'date-time', description: 'When the definition last changed.' },
    ...definitionProperties,
  },
  required: [...createWorkerTypeRequest.required, 'workerType', 'lastModified', 'minCapacity'],
  additionalProperties: false,
} as const;

export const getWorkerTypeLastModified = {
  type: 'object',
  title: 'Get Worker Type Last Modified Time Response',
  properties: { workerType: IDENTIFIER, lastModified: { type: 'string', format: 'date-time' } },
  required: ['workerType', 'lastModified'],
  additionalProperties: false,
} as const;

export const listWorkerTypesResponse = {
  type: 'array',
  title: 'List Worker Types Response',
  items: IDENTIFIER,
  uniqueItems: true,
} as const;

export const workerTypeSummary = {
  type: 'object',
  title: 'Worker Type Summary',
  properties: {
    workerType: IDENTIFIER,
    minCapacity: { type: 'number', description: 'From the definition.' },
    maxCapacity: { type: 'number', description: 'From the definition.' },
    requestedCapacity: {
      type: 'number',
      description: 'Capacity of open spot requests and launches not yet seen.',
    },
    pendingCapacity: { type: 'number', description: 'Capacity of instances not yet running.' },
    runningCapacity: { type: 'number', description: 'Capacity of running instances.' },
  },
  required: [
    'workerType',
    'minCapacity',
    'maxCapacity',
    'requestedCapacity',
    'pendingCapacity',
    'runningCapacity',
  ],
  additionalProperties: false,
} as const;

export const listWorkerTypeSummariesResponse = {
  type: 'array',
  title: 'List Worker Type Summaries Response',
  items: workerTypeSummary,
  uniqueItems: true,
} as const;

export const getLaunchSpecsResponse = {
  type: 'object',
  title: 'Get All Launch Specs Response',
  description: 'Per region, per instance type: the launch specification and user data the loop would use.',
  additionalProperties: { type: 'object', additionalProperties: { type: 'object' } },
} as const;

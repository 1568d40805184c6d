import { checkMaxResults, compileFilters, decodeToken, paginateList } from './describe-filters.js';
import { ec2Error } from './ec2-api-error.js';
import type { ActionHandler, ActionRequest } from './query-action.js';
import type { ZoneScenario } from './scenario.js';
import { priceText } from './xml-renderers.js';
import { isoTime } from './xml-writer.js';

const LINUX_DESCRIPTIONS = ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'];

export const describeRegions: ActionHandler = ({ world, params }) => {
  const names = params.strings('RegionName');
  for (const name of names) {
    if (!world.hasRegion(name)) throw ec2Error('InvalidParameterValue', `Invalid region [${name}]`);
  }
  const matches = compileFilters<string>(params.filters(), {
    fields: {
      'region-name': (region) => region,
      endpoint: (region) => `ec2.${region}.amazonaws.com`,
      'opt-in-status': () => 'opt-in-not-required',
    },
    tags: () => new Map(),
  });
  const regions = world
    .regionNames()
    .filter((name) => (names.length === 0 || names.includes(name)) && matches(name));
  return {
    regionInfo: regions.map((regionName) => ({
      regionName,
      regionEndpoint: `ec2.${regionName}.amazonaws.com`,
      optInStatus: 'opt-in-not-required',
    })),
  };
};

export const describeAvailabilityZones: ActionHandler = ({ world, region, params }) => {
  const store = world.region(region);
  const names = params.strings('ZoneName');
  const ids = params.strings('ZoneId');
  for (const name of names) {
    if (!store.hasZone(name)) throw ec2Error('InvalidParameterValue', `The zone '${name}' does not exist.`);
  }
  for (const id of ids) {
    if (!store.zones.some((zone) => zone.id === id)) {
      throw ec2Error('InvalidParameterValue', `The zone ID '${id}' does not exist.`);
    }
  }
  const matches = compileFilters<ZoneScenario>(params.filters(), {
    fields: {
      'zone-name': (zone) => zone.name,
      'zone-id': (zone) => zone.id,
      'region-name': () => region,
      state: () => 'available',
      'zone-type': () => 'availability-zone',
      'group-name': () => region,
      'opt-in-status': () => 'opt-in-not-required',
    },
    tags: () => new Map(),
  });
  const zones = store.zones.filter(
    (zone) =>
      (names.length === 0 || names.includes(zone.name)) &&
      (ids.length === 0 || ids.includes(zone.id)) &&
      matches(zone),
  );
  return {
    availabilityZoneInfo: zones.map((zone) => ({
      zoneName: zone.name,
      zoneState: 'available',
      regionName: region,
      zoneId: zone.id,
      groupName: region,
      networkBorderGroup: region,
      optInStatus: 'opt-in-not-required',
      zoneType: 'availability-zone',
      messageSet: [],
    })),
  };
};

interface PriceRow {
  zone: ZoneScenario;
  instanceType: string;
  productDescription: string;
  price: number;
  time: number;
}

export const describeSpotPriceHistory: ActionHandler = (request) => {
  const { world, region, params } = request;
  const maxResults = params.int('MaxResults');
  checkMaxResults(maxResults, 1, 1000);
  const scope = `DescribeSpotPriceHistory|${region}`;
  const nextToken = params.string('NextToken');
  const end = params.time('EndTime') ?? decodeToken(nextToken, scope).pinnedTime ?? world.clock.now();
  const start = params.time('StartTime') ?? end;
  if (start > end) throw ec2Error('InvalidParameterValue', 'The start time must be before the end time.');
  const rows = priceRows(request, start, end);
  const matches = compileFilters<PriceRow>(params.filters(), {
    fields: {
      'availability-zone': (row) => row.zone.name,
      'instance-type': (row) => row.instanceType,
      'product-description': (row) => row.productDescription,
      'spot-price': (row) => priceText(row.price),
      timestamp: (row) => isoTime(row.time),
    },
    tags: () => new Map(),
  });
  const page = paginateList(rows.filter(matches), {
    maxResults: maxResults ?? 1000,
    ...(nextToken === undefined ? {} : { nextToken }),
    scope,
    pinnedTime: end,
  });
  return {
    spotPriceHistorySet: page.items.map((row) => ({
      availabilityZone: row.zone.name,
      availabilityZoneId: row.zone.id,
      instanceType: row.instanceType,
      productDescription: row.productDescription,
      spotPrice: priceText(row.price),
      timestamp: isoTime(row.time),
    })),
    nextToken: page.nextToken,
  };
};

/** Price points of every requested series, newest first (then zone, type), as EC2 lists them. */
function priceRows({ world, region, params }: ActionRequest, start: number, end: number): PriceRow[] {
  const store = world.region(region);
  const zoneName = params.string('AvailabilityZone');
  const zoneId = params.string('AvailabilityZoneId');
  const zones = store.zones.filter(
    (zone) =>
      (zoneName === undefined || zone.name === zoneName) && (zoneId === undefined || zone.id === zoneId),
  );
  if (zoneName !== undefined) store.zone(zoneName);
  const requestedTypes = params.strings('InstanceType');
  for (const type of requestedTypes) {
    if (world.catalog.instanceType(type) === undefined) {
      throw ec2Error('InvalidParameterValue', `Invalid value '${type}' for InstanceType.`);
    }
  }
  const types = requestedTypes.length > 0 ? requestedTypes : world.market.offeredTypes(region);
  const requestedDescriptions = params.strings('ProductDescription');
  const descriptions =
    requestedDescriptions.length === 0
      ? ['Linux/UNIX']
      : requestedDescriptions.filter((description) => LINUX_DESCRIPTIONS.includes(description));
  const rows: PriceRow[] = [];
  for (const zone of zones) {
    for (const instanceType of types) {
      for (const point of world.market.history(region, zone.name, instanceType, start, end)) {
        for (const productDescription of descriptions) {
          rows.push({ zone, instanceType, productDescription, price: point.price, time: point.time });
        }
      }
    }
  }
  return rows.sort(
    (a, b) =>
      b.time - a.time ||
      compareText(a.zone.name, b.zone.name) ||
      compareText(a.instanceType, b.instanceType) ||
      compareText(a.productDescription, b.productDescription),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

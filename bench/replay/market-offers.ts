import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import type { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import type { OfferSeries } from './lower-bound.js';

/**
 * The definition's spot offers in the world's market (every zone of its regions × its instance types), as
 * price series. An offer over `maxPrice` per utility, or above on-demand, is not allowed at that moment:
 * its price then reads as infinite.
 */
export function marketOffers(ec2: Ec2World, definition: WorkerTypeDefinition): OfferSeries[] {
  const offers: OfferSeries[] = [];
  for (const { region } of definition.regions) {
    for (const zone of ec2.region(region).zones) {
      for (const type of definition.instanceTypes) {
        const onDemand = ec2.catalog.onDemandPrice(region, type.instanceType) ?? Number.POSITIVE_INFINITY;
        const limit = Math.min(onDemand, definition.maxPrice * type.utility);
        offers.push({
          capacity: type.capacity,
          priceAt: (time) => {
            const price = ec2.market.price(region, zone.name, type.instanceType, time);
            return price === undefined || price > limit ? Number.POSITIVE_INFINITY : price;
          },
          changes: (from, to) =>
            ec2.market.history(region, zone.name, type.instanceType, from, to).map((point) => point.time),
        });
      }
    }
  }
  return offers;
}

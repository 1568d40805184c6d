/** The shape of the generated `catalog-data.ts` (see `scripts/derive-catalog.ts`). */
export interface CatalogData {
  /** On-demand price factor over us-east-1 for regions without a measured factor. */
  defaultRegionFactor: number;
  /** Region -> on-demand price factor over us-east-1. */
  regionFactors: Record<string, number>;
  /** [name, vCPUs, memory GiB, us-east-1 on-demand USD/hour], sorted by name. */
  instanceTypes: ReadonlyArray<readonly [string, number, number, number]>;
  /** Region -> comma-separated cells aligned with `instanceTypes`: '<savingsPct>/<bucket>' or ''. */
  spotAdvice: Record<string, string>;
}

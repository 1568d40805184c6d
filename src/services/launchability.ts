import { launchRequirements } from '../domain/launch-requirements.js';
import type { WorkerTypeDefinition } from '../domain/worker-type.js';
import { Ec2Error, type Ec2Port } from '../ec2/ec2-port.js';
import { UnavailableError } from '../errors.js';

/**
 * Spec §C.5: every AMI and security group the definition would launch with exists in its region.
 * Regions are checked concurrently; an EC2 outage is a 503, never a verdict on the definition.
 */
export async function launchabilityProblems(
  ec2: Ec2Port,
  definition: WorkerTypeDefinition,
): Promise<string[]> {
  const checks = [...launchRequirements(definition)].map(async ([region, needs]) => {
    const problems: string[] = [];
    const images = [...needs.imageIds];
    const groups = [...needs.securityGroups];
    const [foundImages, foundGroups] = await Promise.all([
      images.length > 0 ? ec2.existingImages(region, images) : new Set<string>(),
      groups.length > 0 ? ec2.existingSecurityGroups(region, groups) : new Set<string>(),
    ]);
    for (const image of images) if (!foundImages.has(image)) problems.push(`${image} not found in ${region}`);
    const missing = groups.filter((g) => !foundGroups.has(g));
    if (missing.length > 0) problems.push(`security groups not found in ${region}: ${missing.join(', ')}`);
    return problems;
  });
  try {
    return (await Promise.all(checks)).flat();
  } catch (error) {
    if (error instanceof Ec2Error) {
      throw new UnavailableError(
        `Could not check the definition against EC2 (${error.message}); nothing was saved`,
      );
    }
    throw error;
  }
}

import type { Ec2Port } from '../ec2/ec2-port.js';
import type { Logger } from '../log/logger.js';

/**
 * Makes a missing key pair again (deleted by hand, or by a removal that raced the worker type's
 * re-creation): without it every launch would fail for ever. Launches that find it missing at once
 * share one repair per region and name.
 */
export class KeyPairRepair {
  private readonly repairing = new Map<string, Promise<void>>();

  constructor(
    private readonly ec2: Pick<Ec2Port, 'ensureKeyPair'>,
    private readonly logger: Logger,
    private readonly publicKey: string | undefined,
  ) {}

  repair(region: string, keyName: string): Promise<void> {
    const key = `${region}/${keyName}`;
    let repairing = this.repairing.get(key);
    if (!repairing) {
      this.logger.warn({ event: 'loop.key-pair-missing', region, keyName });
      repairing = this.ec2.ensureKeyPair(region, keyName, this.publicKey);
      this.repairing.set(key, repairing);
      const forget = () => this.repairing.delete(key);
      repairing.then(forget, forget);
    }
    return repairing;
  }
}

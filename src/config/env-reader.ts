/** The environment, as `loadConfig` reads it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Collects problems while parsing, so that every bad value is reported together. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  number(name: string, fallback: number, check: (n: number) => boolean, rule: string): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || !check(value)) {
      this.problems.push(`${name}=${JSON.stringify(raw)} must be ${rule}`);
      return fallback;
    }
    return value;
  }

  optionalNumber(name: string, check: (n: number) => boolean, rule: string): number | undefined {
    if (this.string(name) === undefined) return undefined;
    return this.number(name, Number.NaN, check, rule);
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no'].includes(raw)) return false;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      // Never echo the value: URLs may carry passwords (DATABASE_URL, PULSE_URL).
      this.problems.push(`${name} must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`);
      return undefined;
    }
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}=${JSON.stringify(raw)} must be one of ${allowed.join(', ')}`);
    return fallback;
  }
}

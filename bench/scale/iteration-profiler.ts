import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** Records V8 CPU profiles of chosen stretches of this process (e.g. only the loop's iterations). */
export class IterationProfiler {
  private session: Session | undefined;

  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  }

  /** Stops and writes the profile (`.cpuprofile`, for cpu-profile-summary.ts or Chrome's DevTools). */
  async stop(path: string): Promise<void> {
    if (this.session === undefined) return;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    this.session = undefined;
    await writeFile(path, JSON.stringify(profile));
  }
}

import { createRequire } from 'node:module';

// slugid is CommonJS; its v4 ids are what Taskcluster uses for tokens and the `token` pattern expects.
const slugids = createRequire(import.meta.url)('slugid') as { v4(): string; nice(): string };

/** A new slugid v4 (22 URL-safe characters, never starting with '-'), matching the API's `token` pattern. */
export function slugid(): string {
  return slugids.nice();
}

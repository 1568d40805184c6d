import { useState } from 'preact/hooks';
import { type ApiError, call } from '../api/client.js';
import { JsonBlock } from './json-block.js';

interface LaunchInfo {
  launchSpec?: Record<string, unknown>;
  userData?: unknown;
}

type Preview = Record<string, Record<string, LaunchInfo>>;

/** `getLaunchSpecs`, loaded when opened: the launch specification and user data per region and type. */
export function LaunchSpecsPreview({ name }: { name: string }) {
  const [preview, setPreview] = useState<Preview | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const load = () => {
    if (preview) return;
    call<Preview>('getLaunchSpecs', [name])
      .then(setPreview)
      .catch((failure: ApiError) => setError(failure.message));
  };
  return (
    <section aria-labelledby="launch-specs-title">
      <h2 id="launch-specs-title">Launch specifications</h2>
      <details onToggle={(e) => e.currentTarget.open && load()}>
        <summary>Preview what each region and instance type would launch with</summary>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {!preview && !error && <p class="muted">Loading…</p>}
        {preview &&
          Object.entries(preview).flatMap(([region, types]) =>
            Object.entries(types).map(([instanceType, info]) => (
              <JsonBlock
                key={`${region}/${instanceType}`}
                label={`${region} · ${instanceType}`}
                value={info}
              />
            )),
          )}
      </details>
    </section>
  );
}

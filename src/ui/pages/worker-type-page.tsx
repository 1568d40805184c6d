import { useState } from 'preact/hooks';
import { ApiError, call } from '../api/client.js';
import { useCredentials } from '../api/session.js';
import type { Definition, WorkerTypeDetails } from '../api/types.js';
import { DeleteDialog } from '../components/delete-dialog.js';
import { FleetTables } from '../components/fleet-tables.js';
import { HistoryPanel } from '../components/history-panel.js';
import { JsonBlock } from '../components/json-block.js';
import { LaunchSpecsPreview } from '../components/launch-specs-preview.js';
import { PlanPreview } from '../components/plan-preview.js';
import { usePolling } from '../hooks/use-polling.js';
import { navigate } from '../hooks/use-route.js';
import { formatMoney, formatNumber, formatTime } from '../lib/format.js';
import { href } from '../lib/router.js';

export const DETAILS_REFRESH_MS = 5000;

/** The definition, or null when the worker type is not defined (404). */
async function loadDefinition(name: string): Promise<Definition | null> {
  try {
    return await call<Definition>('workerType', [name]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function Facts({
  details,
  definition,
}: {
  details: WorkerTypeDetails;
  definition: Definition | null | undefined;
}) {
  const latest = details.latest;
  const fact = (label: string, value: string) => (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <dl class="facts cards">
      {fact('Pending tasks', formatNumber(latest?.pendingTasks))}
      {fact('Running capacity', formatNumber(latest?.runningCapacity, 1))}
      {fact('Pending capacity', formatNumber(latest?.pendingCapacity, 1))}
      {fact('Requested capacity', formatNumber(latest?.requestedCapacity, 1))}
      {fact('Min / max capacity', definition ? `${definition.minCapacity} / ${definition.maxCapacity}` : '–')}
      {fact('Spend per hour', formatMoney(latest?.spendPerHour))}
      {fact('Secrets outstanding', String(details.outstandingSecrets))}
      {fact('Last snapshot', formatTime(latest?.at))}
    </dl>
  );
}

function Actions({ name, defined, onDelete }: { name: string; defined: boolean; onDelete: () => void }) {
  return (
    <div class="actions">
      {defined && (
        <a class="button" href={href({ page: 'edit', name })}>
          Edit
        </a>
      )}
      <a class="button" href={href({ page: 'create', from: name })}>
        Clone
      </a>
      <button type="button" class="danger" disabled={!defined} onClick={onDelete}>
        Delete…
      </button>
    </div>
  );
}

/** Why the page may not be what it seems: not defined (or being removed), not refreshing, or blocked. */
function Notices({ data, def, error }: { data?: WorkerTypeDetails; def?: Definition | null; error?: Error }) {
  return (
    <>
      {def === null && (
        <p class="notice" role="status">
          {data?.removal
            ? `Removed at ${formatTime(data.removal.requestedAt)}; the loop is terminating its instances.`
            : 'This worker type is not defined.'}
          {data?.removal?.lastError && ` Last cleanup error: ${data.removal.lastError}`}
        </p>
      )}
      {typeof def?.description === 'string' && def.description && (
        <p class="description">{def.description}</p>
      )}
      {error && (
        <p class="error" role="alert">
          Could not refresh: {error.message}
        </p>
      )}
      {data?.latest?.blocked && (
        <p class="notice warning" role="status">
          <strong>Blocked:</strong> {data.latest.blocked}
        </p>
      )}
    </>
  );
}

function LatestDecision({ latest }: { latest: WorkerTypeDetails['latest'] | undefined }) {
  return (
    <section aria-labelledby="decision-title">
      <h2 id="decision-title">Latest decision</h2>
      {latest ? (
        <JsonBlock label={`Decision record of ${formatTime(latest.at)}`} value={latest.decision} />
      ) : (
        <p class="muted">The loop has not planned for this worker type yet.</p>
      )}
    </section>
  );
}

export function WorkerTypePage({ name, onSignIn }: { name: string; onSignIn: () => void }) {
  const credentials = useCredentials();
  const [deleting, setDeleting] = useState(false);
  const details = usePolling(() => call<WorkerTypeDetails>('adminWorkerType', [name]), DETAILS_REFRESH_MS, [
    name,
  ]);
  const definition = usePolling(() => loadDefinition(name), DETAILS_REFRESH_MS * 6, [name]);
  const data = details.data;
  const def = definition.data;
  return (
    <section aria-labelledby="worker-type-title">
      <div class="page-head">
        <h1 id="worker-type-title">{name}</h1>
        <Actions
          name={name}
          defined={def !== null}
          onDelete={() => (credentials ? setDeleting(true) : onSignIn())}
        />
      </div>
      <Notices data={data} def={def} error={details.error} />
      {data && <Facts details={data} definition={def} />}
      <HistoryPanel name={name} />
      {data && <FleetTables details={data} />}
      <LatestDecision latest={data?.latest} />
      {def && <PlanPreview name={name} />}
      {def && <LaunchSpecsPreview name={name} />}
      {deleting && credentials && data && (
        <DeleteDialog
          name={name}
          details={data}
          credentials={credentials}
          onClose={() => setDeleting(false)}
          onDeleted={() => navigate(href({ page: 'overview' }))}
        />
      )}
    </section>
  );
}

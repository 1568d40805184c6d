import { useState } from 'preact/hooks';
import { type ApiError, call, findEntry } from '../api/client.js';
import { formatMoney, formatNumber } from '../lib/format.js';
import { type PlanView, planOf } from '../lib/plan-view.js';
import { type Column, DataTable } from './data-table.js';
import { JsonBlock } from './json-block.js';

const ROUTE = '/worker-type/<workerType>/plan-preview';
/** The whole iteration's plan: used when the server has no per worker type route. */
const ITERATION_ROUTE = '/plan-preview';

type Launch = PlanView['launches'][number];

const LAUNCH_COLUMNS: Column<Launch>[] = [
  { id: 'region', header: 'Region', cell: (l) => l.region ?? '–' },
  { id: 'zone', header: 'Zone', cell: (l) => l.zone ?? '–' },
  { id: 'type', header: 'Type', cell: (l) => l.instanceType ?? '–' },
  { id: 'market', header: 'Market', cell: (l) => l.market ?? '–' },
  { id: 'price', header: 'Price / h', numeric: true, cell: (l) => formatMoney(l.price ?? null, 4) },
  { id: 'max', header: 'Max price', numeric: true, cell: (l) => formatMoney(l.maxPrice ?? null, 4) },
  { id: 'capacity', header: 'Capacity', numeric: true, cell: (l) => formatNumber(l.capacity ?? null) },
];

function PlanDetails({ plan }: { plan: PlanView }) {
  return (
    <div class="plan">
      <dl class="facts">
        <div>
          <dt>Capacity change</dt>
          <dd>
            {plan.change === null ? 'none (demand unknown or not defined)' : formatNumber(plan.change, 1)}
          </dd>
        </div>
        {plan.spend && (
          <div>
            <dt>Spend per hour</dt>
            <dd>
              {formatMoney(plan.spend.now)} now, +{formatMoney(plan.spend.planned)} for the planned launches
            </dd>
          </div>
        )}
        <div>
          <dt>Terminations / cancellations</dt>
          <dd>
            {plan.terminations.length} / {plan.cancellations.length}
          </dd>
        </div>
      </dl>
      {plan.blocked.length > 0 && (
        <ul class="blocked-list" aria-label="Guard rails that blocked or limited this plan">
          {plan.blocked.map((b) => (
            <li key={`${b.rail}-${b.message}`}>
              <strong>{b.rail}</strong>: {b.message}
            </li>
          ))}
        </ul>
      )}
      <DataTable
        caption="Planned launches"
        columns={LAUNCH_COLUMNS}
        rows={plan.launches}
        rowKey={(l) => JSON.stringify(l)}
        empty="No launches planned."
        maxHeight="16rem"
      />
      {plan.terminations.length > 0 && <JsonBlock label="Planned terminations" value={plan.terminations} />}
      {plan.cancellations.length > 0 && (
        <JsonBlock label="Planned cancellations" value={plan.cancellations} />
      )}
      {plan.record !== undefined && <JsonBlock label="Decision record" value={plan.record} />}
    </div>
  );
}

/** What the next iteration would do for this worker type, computed on request without doing it. */
export function PlanPreview({ name }: { name: string }) {
  const [state, setState] = useState<{ loading?: boolean; error?: string; body?: unknown }>({});
  const preview = async () => {
    setState({ loading: true });
    const [own, iteration] = await Promise.all([findEntry(ROUTE), findEntry(ITERATION_ROUTE)]);
    const entry = own ?? iteration;
    if (!entry) {
      setState({ error: 'This server does not offer a plan preview yet.' });
      return;
    }
    call<unknown>(entry.name, own ? [name] : [])
      .then((body) => setState({ body }))
      .catch((failure: ApiError) => setState({ error: failure.message }));
  };
  const plan = state.body === undefined ? undefined : planOf(state.body, name);
  return (
    <section aria-labelledby="plan-title">
      <div class="section-head">
        <h2 id="plan-title">Plan preview</h2>
        <button type="button" onClick={preview} disabled={state.loading}>
          {state.body === undefined ? 'Preview the next iteration' : 'Preview again'}
        </button>
      </div>
      <div aria-live="polite">
        {state.loading && <p class="muted">Planning…</p>}
        {state.error && <p class="error">{state.error}</p>}
        {plan && <PlanDetails plan={plan} />}
        {state.body !== undefined && !plan && (
          <JsonBlock label="Plan (as returned)" value={state.body} open />
        )}
      </div>
    </section>
  );
}

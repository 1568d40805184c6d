import type { InstanceView, WorkerTypeDetails } from '../api/types.js';
import { formatAge, formatMoney, formatTime } from '../lib/format.js';
import { type Column, DataTable } from './data-table.js';

type SpotRequest = WorkerTypeDetails['spotRequests'][number];
type InFlight = WorkerTypeDetails['inFlightLaunches'][number];
type Failure = WorkerTypeDetails['launchFailures'][number];

const INSTANCE_COLUMNS: Column<InstanceView>[] = [
  { id: 'id', header: 'Instance', width: '13rem', cell: (i) => <code>{i.instanceId}</code> },
  { id: 'region', header: 'Region', cell: (i) => i.region },
  { id: 'zone', header: 'Zone', cell: (i) => i.zone },
  { id: 'type', header: 'Type', cell: (i) => i.instanceType },
  { id: 'market', header: 'Market', cell: (i) => i.market },
  { id: 'price', header: 'Price / h', numeric: true, cell: (i) => formatMoney(i.hourlyPrice, 4) },
  { id: 'state', header: 'State', cell: (i) => <span title={i.stateReason ?? undefined}>{i.state}</span> },
  { id: 'age', header: 'Age', numeric: true, cell: (i) => formatAge(i.ageSeconds) },
];

const REQUEST_COLUMNS: Column<SpotRequest>[] = [
  { id: 'id', header: 'Spot request', width: '13rem', cell: (r) => <code>{r.spotRequestId}</code> },
  { id: 'region', header: 'Region', cell: (r) => r.region },
  { id: 'zone', header: 'Zone', cell: (r) => r.zone ?? '–' },
  { id: 'type', header: 'Type', cell: (r) => r.instanceType },
  { id: 'status', header: 'Status', cell: (r) => r.statusCode },
  { id: 'created', header: 'Created', cell: (r) => formatTime(r.createTime) },
];

const LAUNCH_COLUMNS: Column<InFlight>[] = [
  { id: 'region', header: 'Region', cell: (l) => l.region },
  { id: 'zone', header: 'Zone', cell: (l) => l.zone },
  { id: 'type', header: 'Type', cell: (l) => l.instanceType },
  { id: 'market', header: 'Market', cell: (l) => l.market },
  { id: 'state', header: 'State', cell: (l) => l.state },
  { id: 'created', header: 'Recorded', cell: (l) => formatTime(l.createdAt) },
];

const FAILURE_COLUMNS: Column<Failure>[] = [
  { id: 'at', header: 'When', width: '13rem', cell: (f) => formatTime(f.at) },
  { id: 'where', header: 'Where', width: '16rem', cell: (f) => `${f.zone} · ${f.instanceType}` },
  { id: 'code', header: 'EC2 error', width: '14rem', cell: (f) => <code>{f.code ?? '–'}</code> },
  {
    id: 'message',
    header: 'Reason',
    cell: (f) => <span title={f.message ?? undefined}>{f.message ?? ''}</span>,
  },
];

/** What the loop last saw of a worker type in EC2, and what went wrong launching it. */
export function FleetTables({ details }: { details: WorkerTypeDetails }) {
  const live = details.liveInstances.running + details.liveInstances.pending;
  return (
    <>
      <section aria-labelledby="instances-title">
        <h2 id="instances-title">
          Instances{' '}
          <span class="count">
            {live} running or pending, {details.instances.length} observed
          </span>
        </h2>
        <DataTable
          caption="Instances"
          columns={INSTANCE_COLUMNS}
          rows={details.instances}
          rowKey={(i) => i.instanceId}
          empty="No instances."
          maxHeight="24rem"
        />
        {details.instancesTruncated && (
          <p class="muted">Only the newest {details.instances.length} are shown.</p>
        )}
      </section>
      {(details.spotRequests.length > 0 || details.inFlightLaunches.length > 0) && (
        <section aria-labelledby="requests-title">
          <h2 id="requests-title">Requested capacity</h2>
          {details.spotRequests.length > 0 && (
            <DataTable
              caption="Open spot requests"
              columns={REQUEST_COLUMNS}
              rows={details.spotRequests}
              rowKey={(r) => r.spotRequestId}
              empty="None."
              maxHeight="16rem"
            />
          )}
          {details.inFlightLaunches.length > 0 && (
            <DataTable
              caption="Launches not yet visible in EC2"
              columns={LAUNCH_COLUMNS}
              rows={details.inFlightLaunches}
              rowKey={(l) => l.clientToken}
              empty="None."
              maxHeight="16rem"
            />
          )}
        </section>
      )}
      <section aria-labelledby="failures-title">
        <h2 id="failures-title">Recent launch failures</h2>
        <DataTable
          caption="Recent launch failures with EC2's reasons"
          columns={FAILURE_COLUMNS}
          rows={details.launchFailures}
          rowKey={(f) => `${f.at}-${f.zone}-${f.instanceType}-${f.code}-${f.message}`}
          empty="No recent launch failures."
          maxHeight="16rem"
        />
      </section>
    </>
  );
}

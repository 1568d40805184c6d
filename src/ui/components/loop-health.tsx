import type { LoopHealth } from '../api/types.js';
import { formatAgo, formatTime } from '../lib/format.js';

const STATUS_TEXT: Record<LoopHealth['status'], string> = {
  pending: 'No iteration has finished yet',
  healthy: 'Healthy',
  failing: 'Failing: the last iteration failed',
  stale: 'Stale: no iteration finished recently',
};

/** The provisioning loop's health: status, last iteration, and the errors of recent iterations. */
export function LoopHealthPanel({ loop, now }: { loop: LoopHealth; now: string }) {
  const last = loop.recentIterations[0];
  const errors = loop.recentIterations.flatMap((iteration) =>
    [...(iteration.error ? [iteration.error] : []), ...(iteration.summary?.errors ?? [])].map((message) => ({
      id: iteration.id,
      at: iteration.startedAt,
      message,
    })),
  );
  const unique = errors.filter(
    (e, i) => errors.findIndex((o) => o.id === e.id && o.message === e.message) === i,
  );
  return (
    <section class={`loop-health status-${loop.status}`} aria-labelledby="loop-title">
      <h2 id="loop-title">
        Provisioning loop: <span class="status">{STATUS_TEXT[loop.status]}</span>
      </h2>
      <dl class="facts">
        <div>
          <dt>Last iteration finished</dt>
          <dd>
            {loop.lastCheckedIn
              ? `${formatAgo(loop.lastCheckedIn, now)} (${formatTime(loop.lastCheckedIn)})`
              : 'never'}
          </dd>
        </div>
        <div>
          <dt>Last iteration started</dt>
          <dd>{formatAgo(loop.lastIterationStarted, now)}</dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>{last?.outcome ?? (last ? 'running' : '–')}</dd>
        </div>
      </dl>
      {unique.length > 0 && (
        <details>
          <summary>
            {unique.length} error{unique.length === 1 ? '' : 's'} in the last {loop.recentIterations.length}{' '}
            iterations
          </summary>
          <ul class="errors">
            {unique.slice(0, 20).map((e) => (
              <li key={`${e.id}-${e.message}`}>
                <span class="muted">
                  #{e.id} {formatTime(e.at)}:
                </span>{' '}
                {e.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

import type { JsonChange } from '../lib/json-diff.js';

const show = (value: unknown) => JSON.stringify(value);

/** The changes an update would make, one line per changed value. */
export function DiffView({ changes }: { changes: readonly JsonChange[] }) {
  if (changes.length === 0) return <p role="status">No changes: the definition is as stored.</p>;
  return (
    <ul class="diff" aria-label="Changes to save">
      {changes.map((change) => (
        <li key={change.pointer} class={`diff-${change.kind}`}>
          <code class="pointer">{change.pointer || '(whole definition)'}</code>{' '}
          {change.kind === 'added' && (
            <>
              <span class="visually-hidden">added:</span>
              <ins>{show(change.after)}</ins>
            </>
          )}
          {change.kind === 'removed' && (
            <>
              <span class="visually-hidden">removed:</span>
              <del>{show(change.before)}</del>
            </>
          )}
          {change.kind === 'changed' && (
            <>
              <span class="visually-hidden">changed from</span> <del>{show(change.before)}</del>{' '}
              <span aria-hidden="true">→</span>
              <span class="visually-hidden">to</span> <ins>{show(change.after)}</ins>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Credentials } from 'taskcluster-client-web';
import { type ApiError, call } from '../api/client.js';
import type { WorkerTypeDetails } from '../api/types.js';

export interface DeleteDialogProps {
  name: string;
  details: WorkerTypeDetails;
  credentials: Credentials;
  onClose: () => void;
  onDeleted: () => void;
}

/** What removing the worker type sets off, in words. */
export function deletionConsequences(details: WorkerTypeDetails): string {
  const { running, pending } = details.liveInstances;
  const live = running + pending;
  const parts = [
    `terminate its ${live} instance${live === 1 ? '' : 's'} (${running} running, ${pending} pending)`,
    `cancel its ${details.spotRequests.length} open spot request${details.spotRequests.length === 1 ? '' : 's'}`,
  ];
  if (details.inFlightLaunches.length > 0) {
    parts.push(`terminate the ${details.inFlightLaunches.length} launches under way once EC2 shows them`);
  }
  return `The provisioning loop will then ${parts.join(', ')}, and delete its key pairs. Running tasks on those instances will fail.`;
}

/** Deleting asks for the worker type's name, after saying what it will terminate. */
export function DeleteDialog({ name, details, credentials, onClose, onDeleted }: DeleteDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const remove = async (event: Event) => {
    event.preventDefault();
    if (typed !== name) return;
    setBusy(true);
    try {
      await call('removeWorkerType', [name], credentials);
      onDeleted();
    } catch (failure) {
      setError((failure as ApiError).message);
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="delete-title"
      aria-describedby="delete-consequences"
      onClose={onClose}
    >
      <form onSubmit={remove}>
        <h2 id="delete-title">Delete {name}?</h2>
        <p id="delete-consequences">{deletionConsequences(details)}</p>
        <label for="delete-confirm">
          Type <strong>{name}</strong> to confirm
        </label>
        <input
          id="delete-confirm"
          autoComplete="off"
          spellcheck={false}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={typed !== name || busy}>
            Delete worker type
          </button>
        </div>
      </form>
    </dialog>
  );
}

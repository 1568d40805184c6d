import { useEffect, useRef, useState } from 'preact/hooks';
import type { Credentials } from 'taskcluster-client-web';
import { sandboxCredentials } from '../api/client.js';
import { type CredentialsInput, credentialsFrom, signIn } from '../api/session.js';

const EMPTY: CredentialsInput = { clientId: '', accessToken: '', certificate: '' };

function CredentialFields({
  input,
  onInput,
}: {
  input: CredentialsInput;
  onInput: (next: CredentialsInput) => void;
}) {
  const set = (key: keyof CredentialsInput) => (e: Event) =>
    onInput({ ...input, [key]: (e.currentTarget as HTMLInputElement).value });
  return (
    <>
      <label for="sign-in-client-id">Client ID</label>
      <input
        id="sign-in-client-id"
        autoComplete="username"
        value={input.clientId}
        onInput={set('clientId')}
      />
      <label for="sign-in-access-token">Access token</label>
      <input
        id="sign-in-access-token"
        type="password"
        autoComplete="current-password"
        value={input.accessToken}
        onInput={set('accessToken')}
      />
      <label for="sign-in-certificate">Certificate (temporary credentials only)</label>
      <textarea
        id="sign-in-certificate"
        rows={3}
        value={input.certificate}
        aria-describedby="sign-in-certificate-hint"
        onInput={set('certificate')}
      />
      <p id="sign-in-certificate-hint" class="hint">
        The JSON certificate that comes with temporary credentials; leave empty for permanent ones.
      </p>
    </>
  );
}

/** Opens as a modal while `open`; offers the sandbox's credentials when the server has them. */
function useModal(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [sandbox, setSandbox] = useState<Credentials | undefined>(undefined);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      void sandboxCredentials().then(setSandbox);
    }
    if (!open && element.open) element.close();
  }, [open]);
  return { dialog, sandbox };
}

/** Sign-in with Taskcluster credentials (permanent, or temporary with their certificate). */
export function SignInDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { dialog, sandbox } = useModal(open);
  const [input, setInput] = useState(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const finish = (credentials: Credentials) => {
    signIn(credentials);
    setInput(EMPTY);
    setProblem(null);
    onClose();
  };
  const submit = (event: Event) => {
    event.preventDefault();
    const credentials = credentialsFrom(input);
    if (typeof credentials === 'string') setProblem(credentials);
    else finish(credentials);
  };
  return (
    <dialog ref={dialog} aria-labelledby="sign-in-title" onClose={onClose} class="dialog">
      <form onSubmit={submit} method="dialog">
        <h2 id="sign-in-title">Sign in with Taskcluster credentials</h2>
        <p class="hint">
          Reading needs no credentials. Changes are signed with these; they are kept in this tab’s session
          storage only and are forgotten when the tab closes.
        </p>
        {sandbox && (
          <p class="sandbox-offer">
            <button type="button" class="primary" onClick={() => finish(sandbox)}>
              Use the sandbox’s root credentials ({sandbox.clientId})
            </button>
          </p>
        )}
        <CredentialFields input={input} onInput={setInput} />
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
    </dialog>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api/client.js';
import { useCredentials } from '../api/session.js';
import { DefinitionForm } from '../components/definition-form.js';
import { DiffView } from '../components/diff-view.js';
import { Problems } from '../components/fields.js';
import { JsonEditor } from '../components/json-editor.js';
import { type EditorMode, useDefinitionEditor } from '../hooks/use-definition-editor.js';
import { definitionPart, type EditableDefinition, NEW_DEFINITION } from '../lib/definition-fields.js';
import { href } from '../lib/router.js';

export type { EditorMode } from '../hooks/use-definition-editor.js';

interface EditorProps {
  mode: EditorMode;
  onSignIn: () => void;
}

/** The definition to start from: the stored one (edit, clone) or a blank one (create). */
function useOriginal(mode: EditorMode) {
  const [state, setState] = useState<{ original?: EditableDefinition; error?: string }>({});
  const source = mode.kind === 'edit' ? mode.name : mode.from;
  useEffect(() => {
    if (!source) {
      setState({ original: NEW_DEFINITION });
      return;
    }
    call<EditableDefinition>('workerType', [source])
      .then((stored) => setState({ original: definitionPart(stored) }))
      .catch((error: Error) => setState({ error: error.message }));
  }, [source]);
  return state;
}

function titleOf(mode: EditorMode): string {
  if (mode.kind === 'edit') return `Edit ${mode.name}`;
  return mode.from ? `Clone ${mode.from}` : 'Create a worker type';
}

export function EditorPage({ mode, onSignIn }: EditorProps) {
  const { original, error } = useOriginal(mode);
  if (!original) {
    return (
      <section>
        <h1>{titleOf(mode)}</h1>
        {error ? (
          <p class="error" role="alert">
            Could not load the worker type: {error}
          </p>
        ) : (
          <p role="status">Loading…</p>
        )}
      </section>
    );
  }
  return <DefinitionEditor mode={mode} original={original} onSignIn={onSignIn} />;
}

function NameField({
  value,
  onInput,
  problems,
}: {
  value: string;
  onInput: (v: string) => void;
  problems?: string[];
}) {
  return (
    <div class={`field${problems ? ' invalid' : ''}`}>
      <label for="field-name">Worker type name</label>
      <input
        id="field-name"
        value={value}
        required
        aria-invalid={problems ? true : undefined}
        aria-describedby={problems ? 'field-name-errors' : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <Problems id="field-name" problems={problems} />
    </div>
  );
}

interface EditorActionsProps {
  cancel: string;
  reviewing: boolean;
  onBack: () => void;
  disabled: boolean;
  label: string;
}

function EditorActions({ cancel, reviewing, onBack, disabled, label }: EditorActionsProps) {
  return (
    <div class="actions sticky-actions">
      <a class="button" href={cancel}>
        Cancel
      </a>
      {reviewing && (
        <button type="button" onClick={onBack}>
          Back to editing
        </button>
      )}
      <button type="submit" class="primary" disabled={disabled}>
        {label}
      </button>
    </div>
  );
}

function DefinitionEditor({ mode, original, onSignIn }: EditorProps & { original: EditableDefinition }) {
  const credentials = useCredentials();
  const editor = useDefinitionEditor(mode, original, credentials);
  const { failure, reviewing } = editor;
  const review = useRef<HTMLElement>(null);
  useEffect(() => {
    if (reviewing) review.current?.focus();
  }, [reviewing]);
  const saveLabel =
    mode.kind === 'create' ? 'Create worker type' : reviewing ? 'Save changes' : 'Review changes';
  const cancel =
    mode.kind === 'edit' ? href({ page: 'worker-type', name: mode.name }) : href({ page: 'overview' });
  return (
    <section aria-labelledby="editor-title" class="editor">
      <h1 id="editor-title">{titleOf(mode)}</h1>
      {!credentials && (
        <p class="notice" role="status">
          You can edit here, but saving needs credentials.{' '}
          <button type="button" class="link" onClick={onSignIn}>
            Sign in
          </button>
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (credentials) void editor.submit();
          else onSignIn();
        }}
      >
        {mode.kind === 'create' && (
          <NameField value={editor.name} onInput={editor.setName} problems={failure.problems.get('name')} />
        )}
        <div class="editor-columns">
          <DefinitionForm
            definition={editor.definition}
            onChange={editor.onField}
            problems={failure.problems}
            disabled={editor.jsonError !== null}
          />
          <JsonEditor
            text={editor.jsonText}
            onInput={editor.onJson}
            parseError={editor.jsonError}
            problems={failure.problems.get('')}
          />
        </div>
        {reviewing && (
          <section class="review" aria-labelledby="review-title" ref={review} tabIndex={-1}>
            <h2 id="review-title">Review the changes</h2>
            <DiffView changes={editor.changes} />
          </section>
        )}
        {failure.message && (
          <p class="error" role="alert">
            {failure.message}
          </p>
        )}
        <EditorActions
          cancel={cancel}
          reviewing={reviewing}
          onBack={() => editor.setReviewing(false)}
          disabled={editor.saving || editor.jsonError !== null || (reviewing && editor.changes.length === 0)}
          label={editor.saving ? 'Saving…' : saveLabel}
        />
      </form>
    </section>
  );
}

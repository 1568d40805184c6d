import { fieldId, Problems } from './fields.js';

export interface JsonEditorProps {
  text: string;
  onInput: (text: string) => void;
  /** Why the text is not a definition (it does not parse). */
  parseError: string | null;
  /** The API's complaints no form field owns. */
  problems: readonly string[] | undefined;
}

/** The whole definition as JSON, for everything the form does not cover. */
export function JsonEditor({ text, onInput, parseError, problems }: JsonEditorProps) {
  const id = fieldId('/json');
  const describedBy = [parseError ? `${id}-parse` : '', problems?.length ? `${id}-errors` : ''].filter(
    Boolean,
  );
  return (
    <div class="json-editor">
      <label for={id}>Full definition (JSON): launch specs, user data, scopes, zones…</label>
      <textarea
        id={id}
        spellcheck={false}
        value={text}
        rows={30}
        aria-invalid={parseError || problems?.length ? true : undefined}
        aria-describedby={describedBy.join(' ') || undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      {parseError && (
        <p class="error" id={`${id}-parse`} role="alert">
          Not valid JSON ({parseError}); the form waits until it is.
        </p>
      )}
      <Problems id={id} problems={problems} />
    </div>
  );
}

import { useMemo, useState } from 'preact/hooks';
import type { Credentials } from 'taskcluster-client-web';
import { ApiError, call } from '../api/client.js';
import { assignProblems, definitionProblems } from '../lib/api-errors.js';
import { type EditableDefinition, formPointers, setAt } from '../lib/definition-fields.js';
import { jsonDiff } from '../lib/json-diff.js';
import { href } from '../lib/router.js';
import { navigate } from './use-route.js';

export type EditorMode = { kind: 'edit'; name: string } | { kind: 'create'; from?: string | undefined };

export interface Failure {
  /** Messages by the pointer of the field they concern; `''`: the JSON editor's; `name`: the name field's. */
  problems: Map<string, string[]>;
  message?: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9-_]{1,38}$/;
const NO_FAILURE: Failure = { problems: new Map() };
export const stringify = (definition: EditableDefinition) => JSON.stringify(definition, null, 2);

/** Turns an API error into messages by field; what no field owns goes with the JSON editor. */
export function failureOf(error: unknown, definition: EditableDefinition): Failure {
  if (!(error instanceof ApiError)) return { problems: new Map(), message: String(error) };
  const problems = definitionProblems(error, definition);
  if (problems.length > 0) return { problems: assignProblems(problems, formPointers(definition)) };
  if (error.code === 'InvalidRequestArguments' || error.code === 'RequestConflict') {
    return { problems: new Map([['name', [error.message]]]) };
  }
  const hint =
    error.status === 401 || error.status === 403 ? ' Sign in with credentials that may do this.' : '';
  return { problems: new Map(), message: `${error.message}${hint}` };
}

/** The definition, edited by the form (pointer, value) or as JSON text; both stay in step while the text parses. */
function useSyncedDefinition(original: EditableDefinition, onEdit: () => void) {
  const [definition, setDefinition] = useState(original);
  const [jsonText, setJsonText] = useState(() => stringify(original));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const onField = (pointer: string, value: unknown) => {
    const next = setAt(definition, pointer, value) as EditableDefinition;
    setDefinition(next);
    setJsonText(stringify(next));
    onEdit();
  };
  const onJson = (text: string) => {
    setJsonText(text);
    onEdit();
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('the definition must be a JSON object');
      }
      setDefinition(parsed as EditableDefinition);
      setJsonError(null);
    } catch (error) {
      setJsonError((error as Error).message);
    }
  };
  return { definition, jsonText, jsonError, onField, onJson };
}

/**
 * The editor's state: the definition, the name of a new worker type, the API's complaints, and the review
 * step an update goes through before it is saved.
 */
export function useDefinitionEditor(
  mode: EditorMode,
  original: EditableDefinition,
  credentials: Credentials | null,
) {
  const [reviewing, setReviewing] = useState(false);
  const synced = useSyncedDefinition(original, () => setReviewing(false));
  const { definition } = synced;
  const [name, setName] = useState(mode.kind === 'edit' ? mode.name : '');
  const [failure, setFailure] = useState<Failure>(NO_FAILURE);
  const [saving, setSaving] = useState(false);
  const changes = useMemo(
    () => (mode.kind === 'edit' ? jsonDiff(original, definition) : []),
    [mode.kind, original, definition],
  );
  const save = async (target: string) => {
    setSaving(true);
    setFailure(NO_FAILURE);
    try {
      await call(
        mode.kind === 'edit' ? 'updateWorkerType' : 'createWorkerType',
        [target, definition],
        credentials,
      );
      navigate(href({ page: 'worker-type', name: target }));
    } catch (error) {
      setFailure(failureOf(error, definition));
      setReviewing(false);
      setSaving(false);
    }
  };
  const submit = async () => {
    if (!credentials) return;
    if (mode.kind === 'create' && !NAME_PATTERN.test(name)) {
      setFailure({ problems: new Map([['name', ['1 to 38 letters, digits, - or _']]]) });
    } else if (mode.kind === 'edit' && !reviewing) {
      setReviewing(true);
    } else {
      await save(mode.kind === 'edit' ? mode.name : name);
    }
  };
  return { ...synced, name, setName, failure, reviewing, setReviewing, saving, changes, submit };
}

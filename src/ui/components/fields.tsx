import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { numberValue } from '../lib/definition-fields.js';

export interface FieldProps {
  /** The JSON pointer the field edits; also its element id. */
  pointer: string;
  label: string;
  value: unknown;
  onChange: (pointer: string, value: unknown) => void;
  problems?: readonly string[];
  hint?: string;
  /** Leaving a number field empty removes the key instead of sending an empty string. */
  optional?: boolean;
  multiline?: boolean;
}

export const fieldId = (pointer: string) => `field${pointer.replace(/\//g, '-')}`;

/** The API's messages about this field, announced and linked to the control. */
export function Problems({ id, problems }: { id: string; problems?: readonly string[] }) {
  if (!problems || problems.length === 0) return null;
  return (
    <ul class="field-errors" id={`${id}-errors`} role="alert">
      {problems.map((problem) => (
        <li key={problem}>{problem}</li>
      ))}
    </ul>
  );
}

function describedBy(id: string, props: FieldProps): string | undefined {
  const ids = [props.hint ? `${id}-hint` : '', props.problems?.length ? `${id}-errors` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** A labelled control with its hint and the API's problems with it. */
function FieldFrame(props: { id: string; field: FieldProps; kind?: string; children: ComponentChildren }) {
  const { id, field } = props;
  return (
    <div class={`field${props.kind ? ` ${props.kind}` : ''}${field.problems?.length ? ' invalid' : ''}`}>
      <label for={id}>{field.label}</label>
      {props.children}
      {field.hint && (
        <p class="hint" id={`${id}-hint`}>
          {field.hint}
        </p>
      )}
      <Problems id={id} problems={field.problems} />
    </div>
  );
}

export function TextField(props: FieldProps) {
  const id = fieldId(props.pointer);
  const common = {
    id,
    value:
      typeof props.value === 'string'
        ? props.value
        : props.value === undefined
          ? ''
          : JSON.stringify(props.value),
    'aria-invalid': props.problems?.length ? true : undefined,
    'aria-describedby': describedBy(id, props),
    onInput: (e: Event) => props.onChange(props.pointer, (e.currentTarget as HTMLInputElement).value),
  };
  return (
    <FieldFrame id={id} field={props}>
      {props.multiline ? <textarea rows={2} {...common} /> : <input {...common} />}
    </FieldFrame>
  );
}

/** Text while typing (so `0.` survives), a number in the definition as soon as the text is one. */
export function NumberField(props: FieldProps) {
  const id = fieldId(props.pointer);
  const [text, setText] = useState(props.value === undefined ? '' : String(props.value));
  useEffect(() => {
    const shown = numberValue(text);
    if (shown !== props.value && !(props.value === undefined && text.trim() === '')) {
      setText(props.value === undefined ? '' : String(props.value));
    }
  }, [props.value]);
  const onInput = (e: Event) => {
    const next = (e.currentTarget as HTMLInputElement).value;
    setText(next);
    props.onChange(props.pointer, props.optional && next.trim() === '' ? undefined : numberValue(next));
  };
  return (
    <FieldFrame id={id} field={props} kind="number">
      <input
        id={id}
        inputMode="decimal"
        value={text}
        aria-invalid={props.problems?.length ? true : undefined}
        aria-describedby={describedBy(id, props)}
        onInput={onInput}
      />
    </FieldFrame>
  );
}

export function CheckboxField(props: FieldProps) {
  const id = fieldId(props.pointer);
  return (
    <div class={`field checkbox${props.problems?.length ? ' invalid' : ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={props.value === true}
        aria-describedby={describedBy(id, props)}
        onChange={(e) => props.onChange(props.pointer, e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      <Problems id={id} problems={props.problems} />
    </div>
  );
}

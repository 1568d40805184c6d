import type { JSX } from 'preact';
import { type EditableDefinition, getAt, NEW_INSTANCE_TYPE, NEW_REGION } from '../lib/definition-fields.js';
import { CheckboxField, type FieldProps, NumberField, Problems, TextField } from './fields.js';

export interface DefinitionFormProps {
  definition: EditableDefinition;
  onChange: (pointer: string, value: unknown) => void;
  problems: ReadonlyMap<string, string[]>;
  /** While the JSON editor holds text that is not valid JSON, the form waits. */
  disabled: boolean;
}

type Control = (props: FieldProps) => JSX.Element;
type FieldOf = (control: Control, pointer: string, label: string, extra?: Partial<FieldProps>) => JSX.Element;

interface ItemListProps {
  list: 'regions' | 'instanceTypes';
  legend: string;
  /** What one item is called ("Region 2"). */
  noun: string;
  template: unknown;
  fields: (base: string) => JSX.Element[];
  form: DefinitionFormProps;
}

/** An array of the definition (regions, instance types): its items' fields, with add and remove. */
function ItemList({ list, legend, noun, template, fields, form }: ItemListProps) {
  const items = Array.isArray(form.definition[list]) ? (form.definition[list] as unknown[]) : [];
  const change = (next: unknown[]) => form.onChange(`/${list}`, next);
  return (
    <fieldset class="items">
      <legend>{legend}</legend>
      <Problems id={`field-${list}`} problems={form.problems.get(`/${list}`)} />
      {items.map((_, i) => (
        <fieldset class="item" key={`${list}-${i}`}>
          <legend class="visually-hidden">
            {noun} {i + 1}
          </legend>
          <Problems id={`field-${list}-${i}`} problems={form.problems.get(`/${list}/${i}`)} />
          {fields(`/${list}/${i}`)}
          <button
            type="button"
            class="link"
            onClick={() => change(items.filter((_, j) => j !== i))}
            aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`}
          >
            Remove
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => change([...items, structuredClone(template)])}>
        Add {noun.toLowerCase()}
      </button>
    </fieldset>
  );
}

/** The common fields of a definition; everything else is in the JSON editor beside it. */
export function DefinitionForm(form: DefinitionFormProps) {
  const field: FieldOf = (Control, pointer, label, extra = {}) => (
    <Control
      key={pointer}
      pointer={pointer}
      label={label}
      value={getAt(form.definition, pointer)}
      onChange={form.onChange}
      problems={form.problems.get(pointer)}
      {...extra}
    />
  );
  return (
    <fieldset class="definition-form" disabled={form.disabled}>
      <legend class="visually-hidden">Common fields</legend>
      {field(TextField, '/description', 'Description', { multiline: true })}
      {field(TextField, '/owner', 'Owner', { hint: 'Who to contact about this worker type' })}
      <div class="field-row">
        {field(NumberField, '/minCapacity', 'Min capacity')}
        {field(NumberField, '/maxCapacity', 'Max capacity')}
        {field(NumberField, '/scalingRatio', 'Scaling ratio')}
      </div>
      <div class="field-row">
        {field(NumberField, '/minPrice', 'Min price per utility ($/h)')}
        {field(NumberField, '/maxPrice', 'Max price per utility ($/h)')}
        {field(NumberField, '/maxHourlySpend', 'Max spend per hour ($)', {
          optional: true,
          hint: 'Empty: no cap',
        })}
      </div>
      <div class="field-row">
        {field(CheckboxField, '/canUseSpot', 'May use spot instances')}
        {field(CheckboxField, '/canUseOndemand', 'May use on-demand instances')}
      </div>
      <ItemList
        list="regions"
        legend="Regions"
        noun="Region"
        template={NEW_REGION}
        form={form}
        fields={(base) => [
          field(TextField, `${base}/region`, 'Region'),
          field(TextField, `${base}/launchSpec/ImageId`, 'AMI (ImageId)'),
        ]}
      />
      <ItemList
        list="instanceTypes"
        legend="Instance types"
        noun="Instance type"
        template={NEW_INSTANCE_TYPE}
        form={form}
        fields={(base) => [
          field(TextField, `${base}/instanceType`, 'Instance type'),
          field(NumberField, `${base}/capacity`, 'Capacity'),
          field(NumberField, `${base}/utility`, 'Utility'),
        ]}
      />
    </fieldset>
  );
}

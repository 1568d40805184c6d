/** The editor's model: a blank definition, and the pointers its form fields edit (for placing errors). */
import { instanceTypeConfig, regionConfig } from '../../domain/worker-type.js';

export type EditableDefinition = Record<string, unknown>;

// The server's own defaults (the domain is pure, so the UI shares it).
export const NEW_REGION = regionConfig('', '');
export const NEW_INSTANCE_TYPE = instanceTypeConfig('');

// Edits copy what they change (setAt), so the templates can be shared.
export const NEW_DEFINITION: EditableDefinition = {
  description: '',
  owner: '',
  minCapacity: 0,
  maxCapacity: 10,
  scalingRatio: 0,
  minPrice: 0,
  maxPrice: 1,
  canUseSpot: true,
  canUseOndemand: false,
  launchSpec: {},
  userData: {},
  secrets: {},
  scopes: [],
  instanceTypes: [instanceTypeConfig('m5.large')],
  regions: [NEW_REGION],
  availabilityZones: [],
};

/** Top-level fields with a form control. */
export const SCALAR_FIELDS = [
  'description',
  'owner',
  'minCapacity',
  'maxCapacity',
  'scalingRatio',
  'minPrice',
  'maxPrice',
  'maxHourlySpend',
  'canUseSpot',
  'canUseOndemand',
] as const;

export const REGION_FIELDS = ['region', 'launchSpec/ImageId'] as const;
export const INSTANCE_TYPE_FIELDS = ['instanceType', 'capacity', 'utility'] as const;

const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);

/** Every pointer the form shows errors at, groups (a region, an instance type, the lists) included. */
export function formPointers(definition: EditableDefinition): string[] {
  const items = (list: string, fields: readonly string[]) =>
    Array.from({ length: length(definition[list]) }, (_, i) => [
      `/${list}/${i}`,
      ...fields.map((field) => `/${list}/${i}/${field}`),
    ]).flat();
  return [
    ...SCALAR_FIELDS.map((field) => `/${field}`),
    '/regions',
    ...items('regions', REGION_FIELDS),
    '/instanceTypes',
    ...items('instanceTypes', INSTANCE_TYPE_FIELDS),
  ];
}

/** `value`'s keys in the order of `template`'s, then the others alphabetically. */
function ordered(value: unknown, known: readonly string[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value).sort((a, b) => {
    const [x, y] = [known.indexOf(a), known.indexOf(b)];
    if (x >= 0 && y >= 0) return x - y;
    return x >= 0 ? -1 : y >= 0 ? 1 : a.localeCompare(b);
  });
  return Object.fromEntries(keys.map((key) => [key, (value as Record<string, unknown>)[key]]));
}

const TOP_LEVEL_ORDER = Object.keys(NEW_DEFINITION).flatMap((key) =>
  key === 'maxPrice' ? [key, 'maxHourlySpend'] : [key],
);

/**
 * The definition part of a stored worker type (the API adds the name and the time of the last change), with
 * its keys in a reading order (the database returns them in its own).
 */
export function definitionPart(stored: EditableDefinition): EditableDefinition {
  const { workerType: _name, lastModified: _lastModified, ...definition } = stored;
  const items = (key: string, template: object) =>
    Array.isArray(definition[key])
      ? { [key]: (definition[key] as unknown[]).map((item) => ordered(item, Object.keys(template))) }
      : {};
  return ordered(
    { ...definition, ...items('regions', NEW_REGION), ...items('instanceTypes', NEW_INSTANCE_TYPE) },
    TOP_LEVEL_ORDER,
  ) as EditableDefinition;
}

/** A number when the text is one, else the text itself, so the API names the mistake next to the field. */
export function numberValue(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

/** Sets the value at a pointer such as `/regions/0/launchSpec/ImageId`, copying what it changes. */
export function setAt(value: unknown, pointer: string, next: unknown): unknown {
  const [head, ...rest] = pointer.split('/').slice(1);
  if (head === undefined) return next;
  const inner =
    rest.length === 0
      ? next
      : setAt((value as Record<string, unknown> | undefined)?.[head], `/${rest.join('/')}`, next);
  if (Array.isArray(value)) return value.map((item, index) => (String(index) === head ? inner : item));
  const copy = { ...(value as Record<string, unknown> | undefined) };
  if (inner === undefined) delete copy[head];
  else copy[head] = inner;
  return copy;
}

export function getAt(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((inner, key) => (inner as Record<string, unknown> | undefined)?.[key], value);
}

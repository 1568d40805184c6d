import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SCHEMA_NAMES, type SchemaName, schemaDocument } from './schemas/schemas.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Compiles every schema once. Inputs are validated with schema defaults inserted (as the original
 * did with ajv `useDefaults`); outputs are validated as they are.
 */
export class SchemaValidator {
  private readonly inputs = new Map<SchemaName, ValidateFunction>();
  private readonly outputs = new Map<SchemaName, ValidateFunction>();

  constructor() {
    // `strict: false` would also let Infinity pass as a number (JSON's 1e400 parses to it, and is stored
    // as null): `strictNumbers` keeps numbers finite.
    const options = { allErrors: true, strict: false, strictNumbers: true, verbose: true } as const;
    const inputAjv = storableTimes(addFormats(new Ajv({ ...options, useDefaults: true })));
    const outputAjv = addFormats(new Ajv(options));
    for (const name of SCHEMA_NAMES) {
      this.inputs.set(name, inputAjv.compile(schemaDocument(name)));
      this.outputs.set(name, outputAjv.compile(schemaDocument(name)));
    }
  }

  /** Problems with `data` as an input (defaults are inserted into it); empty when valid. */
  checkInput(name: SchemaName, data: unknown): string[] {
    return run(this.inputs, name, data);
  }

  checkOutput(name: SchemaName, data: unknown): string[] {
    return run(this.outputs, name, data);
  }
}

/**
 * `date-time` as ajv-formats has it, and a time the service can hold: RFC 3339 allows a leap second
 * (23:59:60), which JavaScript's Date cannot represent, and year 0000, which PostgreSQL refuses.
 */
function storableTimes(ajv: Ajv): Ajv {
  const rfc3339 = ajv.formats['date-time'] as { validate: (text: string) => boolean };
  return ajv.addFormat('date-time', {
    type: 'string',
    validate: (text: string) => rfc3339.validate(text) && isStorableTime(text),
  });
}

/** A valid JavaScript time in years 1 to 9999. */
export function isStorableTime(text: string): boolean {
  const time = new Date(text);
  const year = time.getUTCFullYear();
  return !Number.isNaN(time.getTime()) && year >= 1 && year <= 9999;
}

function run(validators: Map<SchemaName, ValidateFunction>, name: SchemaName, data: unknown): string[] {
  const validate = validators.get(name);
  if (!validate) throw new Error(`no schema named ${name}`);
  if (validate(data)) return [];
  return (validate.errors ?? []).map(describeError);
}

/** One readable line per problem, naming where it is (`/regions/0/region`) and what is wrong. */
function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'body' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property ${JSON.stringify(params.additionalProperty)}`;
  }
  if (error.keyword === 'required') {
    return `${where}: missing required property ${JSON.stringify(params.missingProperty)}`;
  }
  if (error.keyword === 'enum') {
    return `${where}: must be one of ${JSON.stringify(params.allowedValues)}`;
  }
  if (error.keyword === 'type' && typeof error.data === 'number' && !Number.isFinite(error.data)) {
    return `${where}: must be a finite number (${error.data} is out of range)`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

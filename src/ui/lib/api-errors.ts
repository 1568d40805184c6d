/**
 * Where the API says a definition is wrong. InputValidationError lists one problem per line, each starting
 * with a JSON pointer (`/maxCapacity: must be number`); InputError joins problems with `; `, naming paths as
 * `regions[1] (us-west-2).launchSpec: ...` or an AMI and region (`ami-1 not found in us-west-2`).
 */
export interface FieldProblem {
  /** JSON pointer into the definition; `''` for the definition as a whole. */
  pointer: string;
  message: string;
}

interface RegionLike {
  region?: unknown;
  launchSpec?: { ImageId?: unknown } | unknown;
}

export interface DefinitionLike {
  regions?: unknown;
}

/** The message without Taskcluster's request-info trailer (`---` and what follows). */
export function messageText(message: string): string {
  return message.split(/\n-{3,}\n?/)[0]?.trim() ?? '';
}

/** Each schema problem as a pointer; `body: missing required property "x"` points at `/x`. */
export function schemaProblems(message: string): FieldProblem[] {
  return messageText(message)
    .split('\n')
    .slice(1)
    .map((line) => /^(body|\/\S*): (.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, where = '', text = '']) => {
      const base = where === 'body' ? '' : where;
      const missing = /^missing required property "(.+)"$/.exec(text);
      return missing
        ? { pointer: `${base}/${missing[1]}`, message: 'is required' }
        : { pointer: base, message: text };
    });
}

const PROBLEM_START =
  /; (?=(?:regions|instanceTypes|availabilityZones)\[\d+\]|launchSpec\b|\S+ not found in |security groups not found in )/;

/** Each problem of an InputError, with the pointer it concerns when it names one. */
export function inputProblems(message: string, definition: DefinitionLike): FieldProblem[] {
  const text = messageText(message).replace(/^Invalid workerType: /, '');
  return text
    .split(PROBLEM_START)
    .map((problem) => ({ pointer: pointerOf(problem, definition), message: problem }));
}

function regionIndex(definition: DefinitionLike, region: string, imageId?: string): number {
  const regions = Array.isArray(definition.regions) ? (definition.regions as RegionLike[]) : [];
  return regions.findIndex(
    (r) =>
      r.region === region &&
      (imageId === undefined || (r.launchSpec as { ImageId?: unknown } | undefined)?.ImageId === imageId),
  );
}

function pointerOf(problem: string, definition: DefinitionLike): string {
  const image = /^(\S+) not found in (\S+)$/.exec(problem);
  if (image) {
    const index = regionIndex(definition, image[2] ?? '', image[1]);
    return index < 0 ? '' : `/regions/${index}/launchSpec/ImageId`;
  }
  const groups = /^security groups not found in (\S+):/.exec(problem);
  if (groups) {
    const index = regionIndex(definition, groups[1] ?? '');
    return index < 0 ? '/launchSpec' : `/regions/${index}/launchSpec`;
  }
  const item = /^(regions|instanceTypes|availabilityZones)\[(\d+)\](?: \([^)]*\))?(?:\.(\w+))?/.exec(problem);
  if (item) {
    const [, list, index, key] = item;
    const base = `/${list}/${index}`;
    if (key === 'launchSpec' && /\bImageId\b/.test(problem)) return `${base}/launchSpec/ImageId`;
    if (key !== undefined) return `${base}/${key}`;
    return /allowed regions/.test(problem) ? `${base}/region` : base;
  }
  return /^launchSpec\b/.test(problem) ? '/launchSpec' : '';
}

/** The problems of an API error about a definition; empty for errors of another kind. */
export function definitionProblems(
  error: { code?: string; message?: string },
  definition: DefinitionLike,
): FieldProblem[] {
  if (error.code === 'InputValidationError') return schemaProblems(error.message ?? '');
  if (error.code === 'InputError') return inputProblems(error.message ?? '', definition);
  return [];
}

/**
 * Gives each problem to the deepest field whose pointer contains it (a field owns its descendants);
 * problems no field owns are returned under `''` (shown with the JSON editor).
 */
export function assignProblems(problems: readonly FieldProblem[], fields: readonly string[]) {
  const assigned = new Map<string, string[]>();
  for (const problem of problems) {
    const owner = fields
      .filter((field) => problem.pointer === field || problem.pointer.startsWith(`${field}/`))
      .sort((a, b) => b.length - a.length)[0];
    const key = owner ?? '';
    const where = owner === undefined && problem.pointer !== '' ? `${problem.pointer}: ` : '';
    assigned.set(key, [...(assigned.get(key) ?? []), `${where}${problem.message}`]);
  }
  return assigned;
}

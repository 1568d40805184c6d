import { ec2Error, invalidValue, missingParameter } from './ec2-api-error.js';

/**
 * A Query API request's parameters as a tree: `Filter.1.Value.2=x` becomes node Filter > 1 > Value > 2.
 * Accessors convert and validate the way EC2 does (`InvalidParameterValue`, `MissingParameter`).
 */
export class QueryNode {
  value: string | undefined;
  readonly children = new Map<string, QueryNode>();

  constructor(private readonly path: string) {}

  static parse(params: URLSearchParams): QueryNode {
    const root = new QueryNode('');
    for (const [name, value] of params) {
      let node = root;
      for (const part of name.split('.')) {
        let child = node.children.get(part);
        if (child === undefined) {
          child = new QueryNode(node.path === '' ? part : `${node.path}.${part}`);
          node.children.set(part, child);
        }
        node = child;
      }
      node.value = value;
    }
    return root;
  }

  node(name: string): QueryNode | undefined {
    let node: QueryNode | undefined = this;
    for (const part of name.split('.')) node = node?.children.get(part);
    return node;
  }

  string(name: string): string | undefined {
    return this.node(name)?.value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(this.qualified(name));
    return value;
  }

  int(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw invalidValue(this.qualified(name), raw);
    return Number(raw);
  }

  number(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw invalidValue(this.qualified(name), raw);
    return value;
  }

  bool(name: string): boolean {
    const raw = this.string(name);
    if (raw === undefined) return false;
    if (!/^(true|false)$/i.test(raw)) throw invalidValue(this.qualified(name), raw);
    return raw.toLowerCase() === 'true';
  }

  /** ISO 8601 time as epoch ms. */
  time(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Date.parse(raw);
    if (!Number.isFinite(value)) throw invalidValue(this.qualified(name), raw);
    return value;
  }

  /** Members of the list `name.N`, in index order. */
  items(name: string): QueryNode[] {
    const list = this.node(name);
    if (list === undefined) return [];
    const entries = [...list.children.entries()];
    for (const [index] of entries) {
      if (!/^[1-9]\d*$/.test(index)) {
        throw ec2Error('InvalidParameterValue', `Invalid list index '${index}' in parameter ${list.path}`);
      }
    }
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, node]) => node);
  }

  /** String members of the list `name.N`. */
  strings(name: string): string[] {
    return this.items(name).map((item) => item.value ?? '');
  }

  /** `Filter.N.Name` / `Filter.N.Value.N`. */
  filters(): Array<{ name: string; values: string[] }> {
    return this.items('Filter').map((filter) => ({
      name: filter.required('Name'),
      values: filter.strings('Value'),
    }));
  }

  /** `<prefix>.N.Key` / `<prefix>.N.Value` as a record; a repeated key is an error, as in EC2. */
  tags(prefix: string): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const tag of this.items(prefix)) {
      const key = tag.required('Key');
      if (Object.hasOwn(tags, key))
        throw ec2Error('InvalidParameterValue', `Duplicate tag key '${key}' specified.`);
      tags[key] = tag.string('Value') ?? '';
    }
    return tags;
  }

  /** TagSpecification.N by resource type; types outside `allowed` are refused. */
  tagSpecifications(allowed: readonly string[]): Map<string, Record<string, string>> {
    const byType = new Map<string, Record<string, string>>();
    for (const spec of this.items('TagSpecification')) {
      const type = spec.required('ResourceType');
      if (!allowed.includes(type)) {
        throw ec2Error(
          'InvalidParameterValue',
          `'${type}' is not a valid taggable resource type for this operation.`,
        );
      }
      byType.set(type, { ...byType.get(type), ...spec.tags('Tag') });
    }
    return byType;
  }

  private qualified(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }
}

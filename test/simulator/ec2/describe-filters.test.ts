import { describe, expect, it } from 'vitest';
import {
  compileFilters,
  decodeToken,
  encodeToken,
  type FilterFields,
  paginate,
  paginateList,
} from '../../../src/simulator/ec2/describe-filters.js';
import { OrderedIndex } from '../../../src/simulator/ec2/ordered-index.js';

interface Thing {
  seq: number;
  id: string;
  state: string;
  groups: string[];
  tags: Map<string, string>;
}

const FIELDS: FilterFields<Thing> = {
  fields: { id: (t) => t.id, state: (t) => t.state, group: (t) => t.groups },
  tags: (t) => t.tags,
};

const thing = (
  seq: number,
  state: string,
  tags: Record<string, string> = {},
  groups: string[] = [],
): Thing => ({
  seq,
  id: `t-${seq}`,
  state,
  groups,
  tags: new Map(Object.entries(tags)),
});

describe('compileFilters', () => {
  const item = thing(1, 'running', { Name: 'docker-worker', 'Owner:team': 'a*b' }, ['default', 'ssh']);

  it.each([
    { filters: [], matches: true },
    { filters: [{ name: 'state', values: ['running'] }], matches: true },
    { filters: [{ name: 'state', values: ['pending', 'running'] }], matches: true },
    { filters: [{ name: 'state', values: ['pending'] }], matches: false },
    { filters: [{ name: 'state', values: ['run*'] }], matches: true },
    { filters: [{ name: 'state', values: ['r?nning'] }], matches: true },
    { filters: [{ name: 'state', values: ['r?ning'] }], matches: false },
    { filters: [{ name: 'group', values: ['ssh'] }], matches: true },
    { filters: [{ name: 'tag:Name', values: ['docker-*'] }], matches: true },
    { filters: [{ name: 'tag:Name', values: ['docker'] }], matches: false },
    { filters: [{ name: 'tag:Missing', values: ['*'] }], matches: false },
    { filters: [{ name: 'tag:Owner:team', values: ['a\\*b'] }], matches: true },
    { filters: [{ name: 'tag:Owner:team', values: ['a\\*c'] }], matches: false },
    { filters: [{ name: 'tag-key', values: ['Name'] }], matches: true },
    { filters: [{ name: 'tag-value', values: ['docker-worker'] }], matches: true },
    {
      filters: [
        { name: 'state', values: ['running'] },
        { name: 'tag:Name', values: ['x'] },
      ],
      matches: false,
    },
  ])('$filters -> $matches', ({ filters, matches }) => {
    expect(compileFilters(filters, FIELDS)(item)).toBe(matches);
  });

  it('rejects an unknown filter name as EC2 does', () => {
    expect(() => compileFilters([{ name: 'colour', values: ['red'] }], FIELDS)).toThrow(
      "The filter 'colour' is invalid",
    );
  });
});

describe('pagination', () => {
  it('walks an index page by page, visiting each match once', () => {
    const index = new OrderedIndex<Thing>((t) => t.id);
    for (let seq = 1; seq <= 12; seq++) index.add(thing(seq, seq % 3 === 0 ? 'stopped' : 'running'));
    const running = (t: Thing) => t.state === 'running';
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = paginate(index, running, {
        maxResults: 3,
        scope: 'S',
        ...(token ? { nextToken: token } : {}),
      });
      ids.push(...page.items.map((t) => t.id));
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    expect(ids).toEqual(['t-1', 't-2', 't-4', 't-5', 't-7', 't-8', 't-10', 't-11']);
    expect(pages).toBe(3);
  });

  it('binds tokens to their scope and carries a pinned time', () => {
    const token = encodeToken('DescribeInstances|us-east-1', 17, 1234);
    expect(decodeToken(token, 'DescribeInstances|us-east-1')).toEqual({ position: 17, pinnedTime: 1234 });
    expect(() => decodeToken(token, 'DescribeInstances|us-west-2')).toThrow('invalid');
    expect(() => decodeToken('%%%', 'x')).toThrow('invalid');
  });

  it('pages through a computed list', () => {
    const first = paginateList([1, 2, 3, 4, 5], { maxResults: 2, scope: 'L' });
    expect(first.items).toEqual([1, 2]);
    const second = paginateList([1, 2, 3, 4, 5], {
      maxResults: 2,
      scope: 'L',
      nextToken: first.nextToken as string,
    });
    expect(second.items).toEqual([3, 4]);
    const last = paginateList([1, 2, 3, 4, 5], {
      maxResults: 2,
      scope: 'L',
      nextToken: second.nextToken as string,
    });
    expect(last).toEqual({ items: [5] });
  });
});

describe('OrderedIndex', () => {
  it('keeps creation order through removals and compaction', () => {
    const index = new OrderedIndex<Thing>((t) => t.id);
    for (let seq = 1; seq <= 300; seq++) index.add(thing(seq, 'running'));
    for (let seq = 1; seq <= 300; seq++) if (seq % 4 !== 0) index.remove(index.get(`t-${seq}`) as Thing);
    expect(index.size).toBe(75);
    const after: number[] = [];
    index.scanAfter(150, (t) => {
      after.push(t.seq);
      return after.length < 3;
    });
    expect(after).toEqual([152, 156, 160]);
    expect(() => index.add(thing(10, 'running'))).toThrow('seq order');
    index.add(thing(301, 'running'));
    expect([...index.values()].at(-1)?.seq).toBe(301);
  });
});

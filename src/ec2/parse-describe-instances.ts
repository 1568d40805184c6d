import type { Instance, Reservation } from '@aws-sdk/client-ec2';
import { type InstanceMemo, memoKey } from './instance-memo.js';

/**
 * A lean reader of DescribeInstances responses (`useLeanDescribeInstances` puts it in an SDK client). The AWS
 * SDK's generic XML deserialisation costs ~0.2 ms per instance (a page of 1,000 instances is ~1.5 MB of XML),
 * which dominates an iteration at 50,000 instances.
 * This reads only the fields the gateway maps (`toInstance`) in one pass over the page's bytes: it names
 * only the elements it acts on and decodes only the text it keeps, so the page is never decoded as a whole
 * (decoding a page of ~430 KB to one string took longer than reading it). With a memo, an instance whose
 * bytes have not changed since an earlier page is not read again. Error responses never come here: the SDK
 * deserialises those.
 */

type Setter = (instance: Instance, text: string) => void;

/** The instance's own fields read, by element name. */
const CHILD_FIELDS: Readonly<Record<string, Setter>> = {
  instanceId: (i, t) => {
    i.InstanceId = t;
  },
  imageId: (i, t) => {
    i.ImageId = t;
  },
  instanceType: (i, t) => {
    i.InstanceType = t as Instance['InstanceType'];
  },
  launchTime: (i, t) => {
    i.LaunchTime = new Date(t);
  },
  instanceLifecycle: (i, t) => {
    i.InstanceLifecycle = t as Instance['InstanceLifecycle'];
  },
  spotInstanceRequestId: (i, t) => {
    i.SpotInstanceRequestId = t;
  },
  clientToken: (i, t) => {
    i.ClientToken = t;
  },
  reason: (i, t) => {
    i.StateTransitionReason = t;
  },
};

/** Fields one level further down, by parent and element name. */
const GRANDCHILD_FIELDS: Readonly<Record<string, Readonly<Record<string, Setter>>>> = {
  instanceState: {
    name: (i, t) => {
      i.State = { ...i.State, Name: t as NonNullable<Instance['State']>['Name'] };
    },
  },
  placement: {
    availabilityZone: (i, t) => {
      i.Placement = { ...i.Placement, AvailabilityZone: t };
    },
  },
  stateReason: {
    code: (i, t) => {
      i.StateReason = { ...i.StateReason, Code: t };
    },
    message: (i, t) => {
      i.StateReason = { ...i.StateReason, Message: t };
    },
  },
};

/** Every element name the reader acts on, by length: any other element is only counted for depth. */
const NAMES_BY_LENGTH: ReadonlyArray<readonly string[] | undefined> = (() => {
  const names = [
    ...Object.keys(CHILD_FIELDS),
    ...Object.keys(GRANDCHILD_FIELDS),
    ...Object.values(GRANDCHILD_FIELDS).flatMap((fields) => Object.keys(fields)),
    'instancesSet',
    'tagSet',
    'item',
    'key',
    'value',
    'nextToken',
  ];
  const byLength: string[][] = [];
  for (const name of new Set(names)) {
    const sameLength = byLength[name.length] ?? [];
    sameLength.push(name);
    byLength[name.length] = sameLength;
  }
  return byLength;
})();

/**
 * The known name of the element whose tag holds `page[start, end)`. A tag with attributes never matches:
 * EC2 puts none on the elements read (only the root element has one). Names are ASCII, so a byte compares
 * with a character code.
 */
function knownName(page: Uint8Array, start: number, end: number): string | undefined {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  for (const name of candidates) {
    let i = 0;
    while (i < name.length && name.charCodeAt(i) === page[start + i]) i++;
    if (i === name.length) return name;
  }
  return undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const DASH = 0x2d;

/** Where the next `byte` is at or after `from`, or -1. A loop: the distances are short, a native call is not. */
function indexOfByte(page: Uint8Array, byte: number, from: number): number {
  for (let i = from; i < page.length; i++) if (page[i] === byte) return i;
  return -1;
}

class Reader {
  readonly instances: Instance[] = [];
  nextToken: string | undefined;
  /** Known names of the open elements, by depth (1 = the root); undefined for any other element. */
  private readonly names: Array<string | undefined> = [];
  private depth = 0;
  /** Depth of the current instance's `item` element, or -1 outside instances. */
  private instanceDepth = -1;
  private instance: Instance | undefined;
  private tag: { Key?: string; Value?: string } | undefined;
  /** Where the current instance's item starts. */
  private itemStart = 0;

  constructor(
    private readonly page: Buffer,
    private readonly memo?: InstanceMemo<Instance>,
  ) {}

  read(): void {
    const { page } = this;
    let textStart = 0;
    let pos = 0;
    for (;;) {
      const lt = indexOfByte(page, LT, pos);
      if (lt < 0) return;
      const first = page[lt + 1];
      if (first === BANG && page[lt + 2] === DASH && page[lt + 3] === DASH) {
        const end = page.indexOf('-->', lt + 4);
        if (end < 0) return;
        pos = end + 3;
        continue;
      }
      const gt = indexOfByte(page, GT, lt + 1);
      if (gt < 0) return;
      pos = gt + 1;
      if (first === SLASH) {
        this.close(textStart, lt, pos);
      } else if (first !== QUESTION && first !== BANG) {
        const selfClosing = page[gt - 1] === SLASH;
        this.open(knownName(page, lt + 1, selfClosing ? gt - 1 : gt));
        if (selfClosing) this.close(pos, pos, pos);
        else if (this.instance && this.instanceDepth === this.depth) pos = this.startInstance(lt, pos);
        textStart = pos;
      }
    }
  }

  /** The text `page[start, end)`, decoded: a string of its own, which keeps no page alive. */
  private text(start: number, end: number): string {
    return decode(this.page.toString('utf8', start, end));
  }

  /**
   * The instance item just opened at `start`, its content at `contentStart`: where reading goes on. That is
   * past the item when the memo has it unchanged (the instance is then already pushed), else its content.
   */
  private startInstance(start: number, contentStart: number): number {
    this.itemStart = start;
    if (!this.memo) return contentStart;
    const key = memoKey(this.page, start);
    const known = key === undefined ? undefined : this.memo.find(key, this.page, start);
    if (known === undefined) return contentStart;
    this.instances.push(known.value);
    this.instance = undefined;
    this.instanceDepth = -1;
    this.depth--;
    return known.end;
  }

  private open(name: string | undefined): void {
    const depth = ++this.depth;
    this.names[depth] = name;
    if (name !== 'item') return;
    const parent = this.names[depth - 1];
    if (this.instanceDepth < 0 && parent === 'instancesSet') {
      this.instanceDepth = depth;
      this.instance = {};
    } else if (this.instance && parent === 'tagSet' && depth === this.instanceDepth + 2) {
      this.tag = {};
    }
  }

  /**
   * Closes the innermost element, whose text (if it is a leaf) is `page[textStart, textEnd)` and whose closing
   * tag ends at `after`.
   */
  private close(textStart: number, textEnd: number, after: number): void {
    const depth = this.depth--;
    const name = this.names[depth];
    const { instance } = this;
    if (!instance) {
      if (name === 'nextToken' && depth === 2) this.nextToken = this.text(textStart, textEnd);
      return;
    }
    const below = depth - this.instanceDepth;
    if (below === 0) {
      if (this.memo) {
        const key = memoKey(this.page, this.itemStart, after);
        if (key !== undefined) this.memo.keep(key, this.page, this.itemStart, after, instance);
      }
      this.instances.push(instance);
      this.instance = undefined;
      this.instanceDepth = -1;
    } else if (this.tag && below === 3) {
      if (name === 'key') this.tag.Key = this.text(textStart, textEnd);
      else if (name === 'value') this.tag.Value = this.text(textStart, textEnd);
    } else if (this.tag && below === 2) {
      instance.Tags ??= [];
      instance.Tags.push(this.tag);
      this.tag = undefined;
    } else if (name !== undefined && below === 1) {
      CHILD_FIELDS[name]?.(instance, this.text(textStart, textEnd));
    } else if (name !== undefined && below === 2) {
      const parent = this.names[depth - 1];
      if (parent !== undefined) GRANDCHILD_FIELDS[parent]?.[name]?.(instance, this.text(textStart, textEnd));
    }
  }
}

/**
 * The DescribeInstances output (reservations, instances and the next token) with the gateway's fields, read
 * from the response's bytes (UTF-8). With a `memo`, unchanged instances are the objects read before: treat
 * them as read-only.
 */
export function parseDescribeInstances(
  page: Buffer,
  memo?: InstanceMemo<Instance>,
): { Reservations: Reservation[]; NextToken?: string } {
  const reader = new Reader(page, memo);
  reader.read();
  const { instances, nextToken } = reader;
  if (memo && !nextToken) memo.endSweep();
  return { Reservations: [{ Instances: instances }], ...(nextToken ? { NextToken: nextToken } : {}) };
}

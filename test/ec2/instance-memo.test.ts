import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Instance } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { InstanceMemo, memoKey } from '../../src/ec2/instance-memo.js';
import { parseDescribeInstances } from '../../src/ec2/parse-describe-instances.js';

const item = (id: string, state: string, extra = '') =>
  `<item><instanceId>${id}</instanceId><instanceState><code>16</code><name>${state}</name></instanceState>` +
  `<groupSet><item><groupId>sg-1</groupId></item></groupSet>${extra}` +
  `<tagSet><item><key>Owner</key><value>memo</value></item></tagSet></item>`;
const page = (items: string[], nextToken?: string, padding = '') =>
  `<DescribeInstancesResponse><requestId>r${padding}</requestId><reservationSet><item><instancesSet>${items.join('')}` +
  `</instancesSet></item></reservationSet>${nextToken ? `<nextToken>${nextToken}</nextToken>` : ''}</DescribeInstancesResponse>`;
const instancesOf = (xml: string, memo?: InstanceMemo<Instance>) =>
  parseDescribeInstances(Buffer.from(xml), memo).Reservations[0]?.Instances ?? [];

describe('the lean reader with a memo', () => {
  it('reads an instance whose XML is unchanged as before (the same object), and a changed one afresh', () => {
    const memo = new InstanceMemo<Instance>();
    const first = instancesOf(page([item('i-1', 'running'), item('i-2', 'pending')]), memo);
    const secondPage = page([item('i-1', 'running'), item('i-2', 'running'), item('i-3', 'pending')]);
    const second = instancesOf(secondPage, memo);
    expect(second).toEqual(instancesOf(secondPage));
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]?.State?.Name).toBe('running');
    expect(second.map((i) => i.Tags)).toEqual([1, 2, 3].map(() => [{ Key: 'Owner', Value: 'memo' }]));
  });

  it('takes a known item for what it is only if all of its XML matches, whatever follows it', () => {
    const memo = new InstanceMemo<Instance>();
    instancesOf(page([item('i-1', 'running')]), memo);
    // Same id, same start; the item goes on past where the remembered one ended.
    const longer = page([
      item('i-1', 'running', '<tagSet><item><key>Late</key><value>tag</value></item></tagSet>'),
    ]);
    expect(instancesOf(longer, memo)).toEqual(instancesOf(longer));
    // The id of a later item, and an item with no id at all.
    const odd = page([
      '<item><instanceState><name>running</name></instanceState></item>',
      item('i-1', 'stopped'),
    ]);
    expect(instancesOf(odd, memo)).toEqual(instancesOf(odd));
  });

  it('forgets instances a whole sweep did not meet, and keeps those of every page of a sweep', () => {
    const memo = new InstanceMemo<Instance>();
    instancesOf(page([item('i-1', 'running')], 'next'), memo);
    instancesOf(page([item('i-2', 'running')]), memo);
    expect(memo.size).toBe(2);
    const again = instancesOf(page([item('i-2', 'running')]), memo);
    expect(again[0]?.InstanceId).toBe('i-2');
    instancesOf(page([item('i-2', 'running')]), memo);
    expect(memo.size).toBe(1);
  });

  it('keeps neither the page nor the bytes of its items, only what it read and a digest', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const memo = new InstanceMemo<Instance>();
    const ids = Array.from({ length: 2000 }, (_, n) => `i-${String(n).padStart(17, '0')}`);
    const unread = `<unread>${'x'.repeat(10_000)}</unread>`;
    gc();
    const buffersBefore = process.memoryUsage().arrayBuffers;
    let bytes: Buffer | undefined = Buffer.from(page(ids.map((id) => item(id, 'running', unread))));
    const pageLength = bytes.length;
    const read = (b: Buffer) => parseDescribeInstances(b, memo).Reservations[0]?.Instances ?? [];
    const first = read(bytes);
    // Found again: every item is recognised by its key and digest.
    const again = read(bytes);
    expect(again).toHaveLength(2000);
    expect(again.every((instance, n) => instance === first[n])).toBe(true);
    // The page's own memory: any view of it that is kept (a subarray, say) keeps this alive.
    const pageMemory = new WeakRef(bytes.buffer);
    bytes = undefined;
    // A WeakRef's target lives until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(pageMemory.deref()).toBeUndefined();
    // Nor copies of the items' bytes: the page is ~20 MB, nearly all of it inside the items. V8 may free a
    // collected buffer's memory a little after the collection (off the main thread), so this waits for it, briefly.
    let retained = process.memoryUsage().arrayBuffers - buffersBefore;
    for (let round = 0; round < 20 && retained >= pageLength / 10; round++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
      retained = process.memoryUsage().arrayBuffers - buffersBefore;
    }
    expect(retained).toBeLessThan(pageLength / 10);
    expect(memo.size).toBe(2000);
  });

  it('keys an item by its first instanceId within the range', () => {
    const xml = Buffer.from(item('i-7', 'running'));
    expect(memoKey(xml, 0, xml.length)).toBe('i-7');
    expect(memoKey(xml, 0, 10)).toBeUndefined();
    expect(memoKey(Buffer.from('<item><reason/></item>'), 0, 22)).toBeUndefined();
    // Looked for near the item's start only, so a page of items without one is not searched to its end each time.
    const late = Buffer.from(`<item><x>${'y'.repeat(600)}</x><instanceId>i-8</instanceId></item>`);
    expect(memoKey(late, 0)).toBeUndefined();
    expect(memoKey(Buffer.from(`${item('i-9', 'running')}${item('i-10', 'running')}`), 0)).toBe('i-9');
    // From an item further into the page, and with characters beyond ASCII before it.
    const page = Buffer.from(`<value>ünïcode ✓</value>${item('i-11', 'running')}`);
    expect(memoKey(page, page.indexOf('<item>'))).toBe('i-11');
  });
});

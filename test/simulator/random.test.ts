import { describe, expect, it } from 'vitest';
import { hashString, Random } from '../../src/simulator/random.js';

describe('Random', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const draw = (seed: number | string) => {
      const random = new Random(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw('world')).toEqual(draw('world'));
    expect(draw(42)).toEqual(draw(42));
    expect(draw('world')).not.toEqual(draw('world!'));
  });

  it('derives independent named streams without consuming the parent', () => {
    const a = Random.stream('seed', 'ids');
    const b = Random.stream('seed', 'delays');
    expect(a.next()).not.toBe(b.next());
    expect(Random.stream('seed', 'ids').next()).toBe(Random.stream('seed', 'ids').next());
  });

  it('keeps every draw in range', () => {
    const random = new Random(7);
    for (let i = 0; i < 2000; i++) {
      const unit = random.next();
      expect(unit).toBeGreaterThanOrEqual(0);
      expect(unit).toBeLessThan(1);
      expect(random.int(6)).toBeLessThan(6);
      const between = random.between(10, 20);
      expect(between).toBeGreaterThanOrEqual(10);
      expect(between).toBeLessThanOrEqual(20);
      expect(random.exponential(0.5)).toBeGreaterThanOrEqual(0);
    }
    expect(random.exponential(0)).toBe(Number.POSITIVE_INFINITY);
    expect(random.hex(17)).toMatch(/^[0-9a-f]{17}$/);
    expect(random.chars(8, 'ab')).toMatch(/^[ab]{8}$/);
    expect(random.chance(0)).toBe(false);
  });

  it('has roughly the right means', () => {
    const random = new Random('means');
    const n = 20_000;
    let sumExp = 0;
    let sumNormal = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      sumExp += random.exponential(2);
      const z = random.normal();
      sumNormal += z;
      sumSquares += z * z;
    }
    expect(sumExp / n).toBeCloseTo(0.5, 1);
    expect(sumNormal / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
  });

  it('hashes strings stably into 32 bits', () => {
    const texts = ['', 'a', 'b', 'us-east-1a/c5.large', 'us-east-1b/c5.large'];
    const hashes = texts.map(hashString);
    expect(texts.map(hashString)).toEqual(hashes);
    expect(new Set(hashes).size).toBe(texts.length);
    for (const hash of hashes) expect(hash >>> 0).toBe(hash);
  });
});

/**
 * Deterministic hashing and a small fast PRNG. Everything the generator produces is a pure
 * function of these, so any file (or resource) can be rebuilt on its own, in any order.
 */
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a over a string, finished with a murmur3 avalanche. */
export function hashString(text: string, start = 0x811c9dc5): number {
  let h = start >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return finalize(h);
}

/** Mixes integers into a running 32-bit hash (order matters). */
export function mix(h: number, ...values: number[]): number {
  let x = h >>> 0;
  for (const v of values) {
    let k = Math.imul(v | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    x ^= k;
    x = (x << 13) | (x >>> 19);
    x = (Math.imul(x, 5) + 0xe6546b64) | 0;
    // Values above 2^32 (e.g. large seeds) contribute their high part too.
    const high = Math.floor(v / 0x100000000);
    if (high !== 0) x = Math.imul(x ^ high, 0x85ebca6b);
  }
  return finalize(x);
}

function finalize(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A lowercase UUID-v4-shaped string derived from a SHA-256 of the parts (not random). */
export function uuidFromParts(parts: ReadonlyArray<string | number | boolean>): string {
  const hex = createHash('sha256').update(parts.map(String).join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * sfc32: four 32-bit words of state, cheap to seed (unlike a Mersenne Twister), which matters
 * because the generator re-seeds once per resource. Also serves as faker's Randomizer.
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  seed(seed: number | number[]): void {
    const s = Array.isArray(seed)
      ? seed.reduce<number>((h, v) => mix(h, v), 0x9e3779b9)
      : mix(0x9e3779b9, seed);
    this.a = s;
    this.b = mix(s, 1);
    this.c = mix(s, 2);
    this.d = 1;
    // Warm up so that nearby seeds diverge.
    for (let i = 0; i < 8; i++) this.u32();
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Float in [0, 1). */
  next(): number {
    return this.u32() / 0x100000000;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Rng.pick: empty list');
    return item;
  }

  /** A string of `length` decimal digits (first digit non-zero when `leadingNonZero`). */
  digits(length: number, leadingNonZero = false): string {
    let out = '';
    for (let i = 0; i < length; i++) {
      out += i === 0 && leadingNonZero ? String(1 + (this.u32() % 9)) : String(this.u32() % 10);
    }
    return out;
  }

  /** A money amount with cents, in [min, max]. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
}

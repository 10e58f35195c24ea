import { createHash } from 'node:crypto';

/**
 * A seeded generator (Mulberry32: small, fast, 32-bit state), so a scenario and a seed always
 * plan the same story. Nothing in the simulator draws from Math.random.
 */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A generator of its own for one part of the story, so adding draws elsewhere moves nothing here. */
  fork(label: string): Random {
    return new Random(hashToUint32(`${this.#state}:${label}`));
  }
}

/** A stable 32-bit number from a string: per-unit and per-alert choices that must not depend on arrival order. */
export function hashToUint32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** A number in [0, 1) fixed by its inputs. */
export function hashUnit(...parts: Array<string | number>): number {
  return hashToUint32(parts.join('|')) / 4294967296;
}

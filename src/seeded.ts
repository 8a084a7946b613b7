// Seeded pseudo-random sequences, for what must come out the same every time: the demo's year of
// records, benchmark data and tests' random fixtures (so a failure can be run again). mulberry32:
// small and well mixed in every bit, where a plain linear congruential generator repeats its low
// bits within a few steps.

/** Floats in [0, 1), the same sequence for the same seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Whole numbers from 0 to n - 1, the same sequence for the same seed. */
export function seededBelow(seed: number): (n: number) => number {
  const next = seeded(seed)
  return (n) => Math.floor(next() * n)
}

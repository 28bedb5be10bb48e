/** Vectors of the semantic cache: kept unit-length, so cosine similarity is a dot product. */

/** The vector scaled to length 1 (null for a zero or non-finite vector: it matches nothing). */
export function unit(values: ArrayLike<number>): Float32Array | null {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) return null;
    sum += v * v;
  }
  if (!(sum > 0)) return null;
  const norm = Math.sqrt(sum);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return out;
}

/** Cosine similarity of two unit vectors (-1 when their dimensions differ: another embedding model). */
export function similarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

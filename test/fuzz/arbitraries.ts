import fc from "fast-check";

/** Property runs per fuzz case: together the test/fuzz files stay well under 30 s. */
export const RUNS = 50;

type Json = unknown;

/** Every path to a value inside a JSON value (objects and arrays), the root included. */
function paths(value: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

/** `value` with the node at `path` replaced by `replacement` (a copy). */
function replaced(value: Json, path: Array<string | number>, replacement: Json): Json {
  if (!path.length) return replacement;
  const copy = (Array.isArray(value) ? [...(value as Json[])] : { ...(value as Record<string, Json>) }) as Record<string | number, Json>;
  const [head, ...rest] = path;
  copy[head!] = replaced(copy[head!], rest, replacement);
  return copy;
}

/** A JSON value small enough to keep runs fast, with the awkward cases (null, huge numbers, odd strings). */
export const smallJson = fc.jsonValue({ maxDepth: 3 });

/**
 * A payload drawn from recorded upstream events: one as it was, one with a random node replaced
 * by an arbitrary JSON value (a field of the wrong type, a missing array, a null where an object
 * was), or something else entirely.
 */
export function payloads(recorded: readonly Json[]): fc.Arbitrary<Json> {
  const mutated = fc.tuple(fc.constantFrom(...recorded), fc.nat(), smallJson).map(([base, n, value]) => {
    const all = paths(base);
    return replaced(base, all[n % all.length]!, value);
  });
  return fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...recorded) }, { weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: smallJson });
}

/** The lines of a `*.chunks.txt` fixture (one JSON value a line). */
export const lines = (...texts: string[]): Json[] =>
  texts.flatMap((t) =>
    t
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Json),
  );

const enc = new TextEncoder();

/** A piece of an SSE stream: an event, a raw line, a comment, or bytes that are not text at all. */
export function sseText(payload: fc.Arbitrary<Json>, named: boolean): fc.Arbitrary<Uint8Array> {
  const event = payload.map((p) => {
    const data = JSON.stringify(p) ?? "null";
    const type = p && typeof p === "object" && typeof (p as { type?: unknown }).type === "string" ? (p as { type: string }).type : "message";
    return enc.encode(`${named ? `event: ${type}\n` : ""}data: ${data}\n\n`);
  });
  const odd = fc
    .constantFrom("data: [DONE]\n\n", ": keep-alive\n\n", "data: {\n\n", "data:\n\n", "event: error\ndata: {}\n\n", "\r\n\r\n", "retry: 10\n", 'data: {"error":{"message":"boom"}}\n\n')
    .map((s) => enc.encode(s));
  return fc.oneof(
    { weight: 8, arbitrary: event },
    { weight: 2, arbitrary: odd },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => enc.encode(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  );
}

/** Byte pieces joined and cut again at arbitrary points (events, lines and UTF-8 characters split apart). */
export function recut(pieces: fc.Arbitrary<Uint8Array>, maxPieces = 14): fc.Arbitrary<Uint8Array[]> {
  return fc.tuple(fc.array(pieces, { maxLength: maxPieces }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 })).map(([parts, sizes]) => {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    const out: Uint8Array[] = [];
    for (let i = 0, k = 0; i < all.length; k++) {
      const size = sizes[k % sizes.length]!;
      out.push(all.slice(i, i + size));
      i += size;
    }
    // A counterexample prints as the text it carries and where it was cut, not as byte arrays.
    return Object.assign(out, { [fc.toStringMethod]: () => `${JSON.stringify(new TextDecoder().decode(all))} cut every ${sizes.join(",")} bytes` });
  });
}

/** A body that yields `parts` one chunk at a time. */
export function bodyOf(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!);
      else controller.close();
    },
  });
}

/** Reads a stream to its end (rejecting if it errors) and returns its text. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const dec = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + dec.decode();
    text += dec.decode(value, { stream: true });
  }
}

/** The `data:` payloads of SSE text that are not `[DONE]`. */
export function dataPayloads(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).trim())
    .filter((d) => d !== "[DONE]");
}

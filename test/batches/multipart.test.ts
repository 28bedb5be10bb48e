import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundaryOf, multipartParts } from "../../src/batches/multipart";
import { multipart, trickle } from "./helpers";

const enc = new TextEncoder();

async function read(body: Uint8Array, contentType: string, chunk: number) {
  const out: Array<{ name: string; filename?: string; value: string }> = [];
  for await (const part of multipartParts(trickle(body, chunk), boundaryOf(contentType)!)) {
    const pieces: Uint8Array[] = [];
    for await (const c of part.chunks) pieces.push(c);
    out.push({ name: part.name, filename: part.filename, value: Buffer.concat(pieces).toString("latin1") });
  }
  return out;
}

describe("the streaming multipart reader", () => {
  it("reads back any parts whatever the chunking, even values that look like boundaries", async () => {
    // Values drawn from characters that make up boundaries and line breaks, so near-misses are common.
    const value = fc.string({ unit: fc.constantFrom("-", "\r", "\n", "a", "s", "w", "x"), maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fc.constantFrom("purpose", "file", "x"), value, file: fc.boolean() }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (parts, chunk) => {
          const m = multipart(parts.map((p) => ({ name: p.name, value: p.value, filename: p.file ? "f.jsonl" : undefined })));
          const back = await read(m.body, m.contentType, chunk);
          expect(back.map((p) => [p.name, p.value, p.filename])).toEqual(parts.map((p) => [p.name, p.value, p.file ? "f.jsonl" : undefined]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses a body cut short, one without a boundary, and a part without a name", async () => {
    const m = multipart([{ name: "file", value: "abc", filename: "a" }]);
    await expect(read(m.body.slice(0, m.body.length - 20), m.contentType, 5)).rejects.toThrow("ends inside a part");
    await expect(read(enc.encode("no boundary here"), m.contentType, 5)).rejects.toThrow("no boundary line");
    const b = "zz";
    await expect(read(enc.encode(`--${b}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${b}--\r\n`), `multipart/form-data; boundary=${b}`, 3)).rejects.toThrow("no Content-Disposition");
    expect(boundaryOf("application/json")).toBeUndefined();
    expect(boundaryOf('multipart/form-data; boundary="quoted b"')).toBe("quoted b");
  });
});

/**
 * A streaming multipart/form-data reader: parts come one after another, each part's bytes as they
 * arrive, so a file field is never held whole in memory. Only the bytes that might be the start
 * of the next boundary are kept back.
 */
interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  /** The part's bytes; read it to the end (or not at all) before asking for the next part. */
  chunks: AsyncGenerator<Uint8Array>;
}

export class MultipartError extends Error {}

const enc = new TextEncoder();
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a multipart/form-data content type, or undefined. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 200 ? b : undefined;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i !== -1 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parseHeaders(text: string): { name: string; filename?: string; contentType?: string } {
  let disposition = "";
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") disposition = value;
    else if (key === "content-type") contentType = value;
  }
  const param = (p: string) => {
    const m = new RegExp(`;\\s*${p}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(disposition) ?? new RegExp(`;\\s*${p}=([^;]+)`, "i").exec(disposition);
    return m?.[1]?.replace(/\\(.)/g, "$1").trim();
  };
  const name = param("name");
  if (!/^form-data\b/i.test(disposition) || name === undefined) throw new MultipartError("A multipart part has no Content-Disposition: form-data name.");
  return { name, filename: param("filename"), contentType };
}

/** Reads the parts of a multipart/form-data body. Throws MultipartError when the body is malformed. */
export async function* multipartParts(body: ReadableStream<Uint8Array>, boundary: string): AsyncGenerator<Part> {
  const reader = body.getReader();
  let buf: Uint8Array = new Uint8Array(0);
  let ended = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const r = await reader.read();
    if (r.done) {
      ended = true;
      return false;
    }
    buf = concat(buf, r.value);
    return true;
  };
  const dash = enc.encode(`--${boundary}`);
  const delimiter = enc.encode(`\r\n--${boundary}`);
  const crlf2 = enc.encode("\r\n\r\n");
  try {
    // The preamble, up to the first boundary.
    let at = indexOf(buf, dash, 0);
    while (at < 0) {
      if (!(await more())) throw new MultipartError("The multipart body has no boundary line.");
      at = indexOf(buf, dash, 0);
    }
    buf = buf.subarray(at + dash.length);
    for (;;) {
      while (buf.length < 2) if (!(await more())) throw new MultipartError("The multipart body ends early.");
      if (buf[0] === 0x2d && buf[1] === 0x2d) return; // `--`: the closing boundary
      if (buf[0] !== 0x0d || buf[1] !== 0x0a) throw new MultipartError("A multipart boundary is not followed by a line break.");
      let end = indexOf(buf, crlf2, 0);
      while (end < 0) {
        if (buf.length > MAX_HEADER_BYTES) throw new MultipartError("A multipart part's headers are too long.");
        if (!(await more())) throw new MultipartError("The multipart body ends inside a part's headers.");
        end = indexOf(buf, crlf2, 0);
      }
      const headers = parseHeaders(new TextDecoder().decode(buf.subarray(2, end)));
      buf = buf.subarray(end + 4);
      let finished = false;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (;;) {
          const hit = indexOf(buf, delimiter, 0);
          if (hit >= 0) {
            if (hit > 0) yield buf.slice(0, hit);
            buf = buf.subarray(hit + delimiter.length);
            finished = true;
            return;
          }
          // Everything but a possible start of the delimiter can go.
          const keep = Math.min(buf.length, delimiter.length - 1);
          if (buf.length > keep) {
            const out = buf.slice(0, buf.length - keep);
            buf = buf.subarray(buf.length - keep);
            yield out;
          }
          if (!(await more())) throw new MultipartError("The multipart body ends inside a part.");
        }
      }
      const part = chunks();
      yield { ...headers, chunks: part };
      if (!finished) for await (const _ of part); // the caller skipped the part's bytes
    }
  } finally {
    reader.releaseLock();
  }
}

import { json } from "../helpers/upstream";

/** Batch input files and multipart bodies for the files and batches tests. */
export interface Line {
  custom_id: string;
  method?: string;
  url?: string;
  body: Record<string, unknown>;
}

export const chatLine = (custom_id: string, model = "gpt-4o-mini", extra: Record<string, unknown> = {}): Line => ({
  custom_id,
  method: "POST",
  url: "/v1/chat/completions",
  body: { model, messages: [{ role: "user", content: `hello ${custom_id}` }], ...extra },
});

export const jsonl = (lines: unknown[]) => `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`;

/** A multipart/form-data body with its parts in the order given (fetch's FormData always puts them in insertion order too). */
export function multipart(parts: Array<{ name: string; value: string | Uint8Array; filename?: string }>): { body: Uint8Array; contentType: string } {
  const boundary = `----switchyard-test-${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}`;
    chunks.push(enc.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? "Content-Type: application/octet-stream\r\n" : ""}\r\n`));
    chunks.push(typeof p.value === "string" ? enc.encode(p.value) : p.value);
    chunks.push(enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A body sent in small pieces, so a boundary falls across chunk edges. */
export function trickle(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

export const completion = (content: string) =>
  json({
    id: `chatcmpl-${content}`,
    object: "chat.completion",
    created: 1,
    model: "house-model",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });

/** The custom_id a chat line's fake upstream call is for (its message says `hello <id>`). */
export const idOf = (body: string) => (JSON.parse(body) as { messages: Array<{ content: string }> }).messages[0]!.content.replace("hello ", "");

export interface OutLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: any } | null;
  error: { code: string; message: string } | null;
}
export const parseLines = (text: string): OutLine[] =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

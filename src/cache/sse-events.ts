import { createParser } from "eventsource-parser";

type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The JSON events of a copied SSE body, each with its type (the `event:` name, else the data's
 * `type`); null when an event's data is not a JSON object (the stream is then not cached).
 */
export function sseEvents(chunks: Iterable<Uint8Array>): Array<{ type: string; data: Json }> | null {
  const out: Array<{ type: string; data: Json }> = [];
  let broken = false;
  const parser = createParser({
    onEvent(ev) {
      if (broken) return;
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        broken = true;
        return;
      }
      if (!isObject(data)) {
        broken = true;
        return;
      }
      out.push({ type: ev.event ?? (typeof data.type === "string" ? data.type : ""), data });
    },
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
  parser.feed(`${decoder.decode()}\n\n`);
  return broken ? null : out;
}

/** Named SSE events as one stream (a replayed hit: its bytes in one chunk). */
export function eventStream(events: Array<[string, Json]>): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(events.map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`).join(""));
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

import type { StreamTranslator } from "../../http/sse";
import { compatStreamTranslator } from "../openai-compat/adapter";
import type { AdapterContext, StreamSink } from "../types";

const FILTER_MARK = '"prompt_filter_results"';

/**
 * Azure's chat stream, passed through like OpenAI's, less one chunk: the first event of an Azure
 * stream carries only `prompt_filter_results`, with `choices: []`, an empty `id`, `model` and
 * `object` (test/fixtures/recorded/azure/stream-content-filter.chunks.txt). It has no delta and
 * breaks the OpenAI contract (one id for the whole stream, `object: "chat.completion.chunk"`): the
 * official openai client tolerates it (it skips a chunk without id when merging), stricter clients
 * that validate chunks do not, so it is dropped. The prompt's filter verdicts stay in non-streamed
 * answers, which pass on unchanged; `finish_reason: "content_filter"` and per-choice
 * `content_filter_results` pass on in streams.
 */
export function azureStreamTranslator(ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  const inner = compatStreamTranslator(ctx, sink);
  const filter = (out: string | Uint8Array | null | undefined) => (typeof out === "string" && out.includes(FILTER_MARK) ? dropFilterChunks(out) : out);
  return {
    chunk: (bytes) => filter(inner.chunk(bytes)),
    end: () => filter(inner.end()),
  };
}

/** Removes the events that are only a prompt-filter annotation (no choices, no usage). */
function dropFilterChunks(text: string): string {
  let out = "";
  for (const event of text.split(/(?<=\r?\n\r?\n)/)) {
    if (event.includes(FILTER_MARK) && isFilterOnly(event)) continue;
    out += event;
  }
  return out;
}

function isFilterOnly(event: string): boolean {
  const data = event.trim().replace(/^data:\s*/, "");
  try {
    const chunk = JSON.parse(data) as { choices?: unknown[]; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage == null;
  } catch {
    return false;
  }
}

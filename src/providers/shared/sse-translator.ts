import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { StreamTranslator } from "../../http/sse";

/**
 * A StreamTranslator for a provider that streams SSE: eventsource-parser splits the bytes into
 * events however the chunks fall; `onEvent` returns the OpenAI SSE text for each, `onEnd` the
 * closing text (it throws IncompleteStream when the provider stopped short).
 */
export function sseTranslator(onEvent: (event: EventSourceMessage) => string | undefined, onEnd: () => string): StreamTranslator {
  const decoder = new TextDecoder();
  let out = "";
  const parser = createParser({
    onEvent(event) {
      const text = onEvent(event);
      if (text) out += text;
    },
  });
  const drain = () => {
    const text = out;
    out = "";
    return text;
  };
  return {
    chunk(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return drain();
    },
    end() {
      const tail = decoder.decode();
      if (tail) parser.feed(tail);
      parser.feed("\n\n");
      const before = drain();
      try {
        return before + onEnd();
      } catch (e) {
        if (before && e && typeof e === "object" && "rest" in e) (e as { rest: string }).rest = before + (e as { rest: string }).rest;
        throw e;
      }
    },
  };
}

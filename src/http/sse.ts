import { createParser, type EventSourceMessage } from "eventsource-parser";
import { GatewayError, upstreamUnreadable } from "./errors";

const encoder = new TextEncoder();

export const SSE_DONE = "data: [DONE]\n\n";

/** One SSE `data:` event holding a JSON value. */
export const sseData = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

/** The event that ends a stream which failed after its first byte (no `[DONE]` follows it). */
export const sseError = (err: GatewayError): string => sseData(err.body());

export type StreamOutcome = "complete" | "error" | "cancelled";

/** Thrown by a translator's `end()` when the upstream stopped short: `rest` is still sent, then the error. */
export class IncompleteStream extends Error {
  constructor(
    readonly rest: string,
    readonly error: GatewayError,
  ) {
    super(error.message);
  }
}

/** A stream translation step: upstream bytes in, OpenAI SSE text (or bytes) out. */
export interface StreamTranslator {
  /** One upstream chunk. Returns what to send now (nothing when it only buffered). */
  chunk(bytes: Uint8Array): Uint8Array | string | null | undefined;
  /** The upstream ended. Returns the closing bytes; throws GatewayError when the upstream stopped short. */
  end(): Uint8Array | string | null | undefined;
}

/**
 * A StreamTranslator that passes the upstream's SSE bytes on unchanged and hands each event to
 * `onEvent` however the chunks fall (to read usage or ids on the way); `onEnd` runs once the body
 * has ended and every event was seen (it throws IncompleteStream when the upstream stopped short).
 */
export function sseTap(onEvent: (event: EventSourceMessage) => void, onEnd?: () => void): StreamTranslator {
  const decoder = new TextDecoder();
  const parser = createParser({ onEvent });
  return {
    chunk(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return bytes;
    },
    end() {
      parser.feed(`${decoder.decode()}\n\n`);
      onEnd?.();
      return null;
    },
  };
}

/**
 * Pulls the upstream body through a translator without buffering it. A failure after the first
 * byte becomes one `data: {"error":...}` event and the stream closes with no `[DONE]`. `onEnd` is
 * called exactly once: complete, error, or cancelled (the client went away).
 */
export function translateStream(
  body: ReadableStream<Uint8Array>,
  translator: StreamTranslator,
  onEnd: (outcome: StreamOutcome) => void,
  /** How the closing error event is written (Anthropic-format routes write their own). */
  formatError: (err: GatewayError) => string = sseError,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const finish = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, out: Uint8Array | string | null | undefined) => {
    if (out == null) return false;
    if (typeof out === "string") {
      if (out.length === 0) return false;
      controller.enqueue(encoder.encode(out));
    } else {
      if (out.byteLength === 0) return false;
      controller.enqueue(out);
    }
    return true;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          // Keep reading until something can be sent, so each pull makes progress for the client.
          for (;;) {
            const { done, value } = await reader.read();
            if (done) {
              send(controller, translator.end());
              controller.close();
              finish("complete");
              return;
            }
            if (send(controller, translator.chunk(value))) return;
          }
        } catch (e) {
          if (e instanceof IncompleteStream && e.rest) controller.enqueue(encoder.encode(e.rest));
          const err = e instanceof IncompleteStream ? e.error : e instanceof GatewayError ? e : upstreamUnreadable(`The upstream stream failed: ${e instanceof Error ? e.message : String(e)}`);
          controller.enqueue(encoder.encode(formatError(err)));
          controller.close();
          reader.cancel().catch(() => {});
          finish("error");
        }
      },
      cancel(reason) {
        finish("cancelled");
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

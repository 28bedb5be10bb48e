import { EventStreamCodec } from "@smithy/eventstream-codec";

/**
 * The `application/vnd.amazon.eventstream` framing ConverseStream answers in. Each frame is
 * `total length (4) | headers length (4) | prelude CRC32 (4) | headers | payload | message CRC32 (4)`,
 * big-endian. Frames are reassembled here however the network cut the bytes; each whole frame is
 * decoded by AWS's own codec (@smithy/eventstream-codec), which checks both CRCs and parses the
 * typed headers.
 */

/** The spec's limits: 16 bytes of framing at least, 16 MiB per frame at most, 128 KiB of headers. */
const MIN_FRAME = 16;
const MAX_FRAME = 16 * 1024 * 1024;
const MAX_HEADERS = 128 * 1024;

/** One decoded frame: its `:message-type` (`event`, `exception` or `error`), the type headers, and the payload text. */
export interface StreamFrame {
  messageType: string;
  /** `:event-type` of an event (messageStart, contentBlockDelta, ...). */
  eventType?: string;
  /** `:exception-type` of an exception (throttlingException, validationException, ...). */
  exceptionType?: string;
  /** `:error-code` / `:error-message` of a protocol-level error frame. */
  errorCode?: string;
  errorMessage?: string;
  payload: string;
}

/** The bytes are not a valid eventstream (bad length, bad CRC, bad headers). */
export class FrameError extends Error {}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => textDecoder.decode(bytes),
  (text) => textEncoder.encode(text),
);

type Decoded = ReturnType<EventStreamCodec["decode"]>;
type MessageHeaders = Decoded["headers"];

function header(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === "string" ? h.value : undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

/** Reassembles and decodes frames from chunks cut at arbitrary offsets. */
export class FrameDecoder {
  private buffer: Uint8Array = new Uint8Array(0);

  /** Bytes held back: the start of a frame whose end has not arrived. */
  get pending(): number {
    return this.buffer.byteLength;
  }

  /** Feeds one chunk; returns the frames it completed. Throws FrameError for bytes that are not a valid frame. */
  push(chunk: Uint8Array): StreamFrame[] {
    this.buffer = this.buffer.byteLength ? concat(this.buffer, chunk) : chunk;
    const frames: StreamFrame[] = [];
    while (this.buffer.byteLength >= 12) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      const total = view.getUint32(0, false);
      const headersLength = view.getUint32(4, false);
      if (total < MIN_FRAME || total > MAX_FRAME || headersLength > MAX_HEADERS || headersLength > total - MIN_FRAME) {
        throw new FrameError(`an eventstream frame has an impossible prelude (length ${total}, headers ${headersLength})`);
      }
      if (this.buffer.byteLength < total) break;
      const frame = this.buffer.subarray(0, total);
      this.buffer = this.buffer.subarray(total);
      let decoded: Decoded;
      try {
        decoded = codec.decode(frame);
      } catch (e) {
        throw new FrameError(`an eventstream frame is corrupt: ${e instanceof Error ? e.message : String(e)}`);
      }
      frames.push({
        messageType: header(decoded.headers, ":message-type") ?? "event",
        eventType: header(decoded.headers, ":event-type"),
        exceptionType: header(decoded.headers, ":exception-type"),
        errorCode: header(decoded.headers, ":error-code"),
        errorMessage: header(decoded.headers, ":error-message"),
        payload: textDecoder.decode(decoded.body),
      });
    }
    return frames;
  }
}

/// <reference types="vite/client" />
// Shared by the bedrock test files: fixtures (bundled with ?raw: tests never read the disk at run
// time), an eventstream ENCODER written here from the framing spec (independent of the codec the
// adapter decodes with, so one checks the other), byte splitters, and runners for the adapter.
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import type { StreamOutcome } from "../../src/http/sse";
import { bedrockChat } from "../../src/providers/bedrock";
import { converseBody } from "../../src/providers/bedrock/request";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";
import recordedException from "../fixtures/recorded/bedrock/stream-error-exception.eventstream.base64.txt?raw";
import recordedTextStream from "../fixtures/recorded/bedrock/text.chunks.txt?raw";
import recordedText from "../fixtures/recorded/bedrock/text.json?raw";
import recordedToolStream from "../fixtures/recorded/bedrock/tool-call.chunks.txt?raw";
import recordedTool from "../fixtures/recorded/bedrock/tool-call.json?raw";
import cacheUsage from "../fixtures/bedrock/cache-usage.json?raw";
import cohereEmbedding from "../fixtures/bedrock/cohere-embedding.json?raw";
import errorAccessDenied from "../fixtures/bedrock/error-access-denied.json?raw";
import errorExpiredToken from "../fixtures/bedrock/error-expired-token.json?raw";
import errorModelNotReady from "../fixtures/bedrock/error-model-not-ready.json?raw";
import errorModelTimeout from "../fixtures/bedrock/error-model-timeout.json?raw";
import errorNotFound from "../fixtures/bedrock/error-not-found.json?raw";
import errorServiceUnavailable from "../fixtures/bedrock/error-service-unavailable.json?raw";
import errorThrottling from "../fixtures/bedrock/error-throttling.json?raw";
import errorUnrecognizedClient from "../fixtures/bedrock/error-unrecognized-client.json?raw";
import errorValidation from "../fixtures/bedrock/error-validation.json?raw";
import errorTooLong from "../fixtures/bedrock/error-validation-too-long.json?raw";
import guardrail from "../fixtures/bedrock/guardrail.json?raw";
import jsonToolStream from "../fixtures/bedrock/json-tool.chunks.txt?raw";
import jsonTool from "../fixtures/bedrock/json-tool.json?raw";
import parallelTools from "../fixtures/bedrock/parallel-tools.chunks.txt?raw";
import reasoningStream from "../fixtures/bedrock/reasoning.chunks.txt?raw";
import reasoning from "../fixtures/bedrock/reasoning.json?raw";
import titanEmbedding from "../fixtures/bedrock/titan-embedding.json?raw";
import toolNoArgs from "../fixtures/bedrock/tool-no-args.chunks.txt?raw";
import truncated from "../fixtures/bedrock/truncated.chunks.txt?raw";

export const fixtures = {
  recordedText,
  recordedTool,
  recordedTextStream,
  recordedToolStream,
  recordedException: recordedException.trim(),
  cacheUsage,
  guardrail,
  jsonTool,
  jsonToolStream,
  parallelTools,
  reasoning,
  reasoningStream,
  toolNoArgs,
  truncated,
  titanEmbedding,
  cohereEmbedding,
};

/** `{status, headers, body}` error fixtures. */
export const errorFixtures = {
  throttling: errorThrottling,
  tooLong: errorTooLong,
  validation: errorValidation,
  accessDenied: errorAccessDenied,
  unrecognizedClient: errorUnrecognizedClient,
  expiredToken: errorExpiredToken,
  serviceUnavailable: errorServiceUnavailable,
  modelNotReady: errorModelNotReady,
  notFound: errorNotFound,
  modelTimeout: errorModelTimeout,
};

export interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
export const errorFixture = (name: keyof typeof errorFixtures): ErrorFixture => JSON.parse(errorFixtures[name]) as ErrorFixture;

// ---- the eventstream framing, encoded from the spec ----------------------------------------

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table-driven. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const enc = new TextEncoder();

/** One frame: string headers (type 7) in the order given, then the payload, with both CRCs. */
export function encodeFrame(headers: Array<[string, string]>, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? enc.encode(payload) : payload;
  const parts: number[] = [];
  for (const [name, value] of headers) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    parts.push(n.length, ...n, 7, (v.length >> 8) & 0xff, v.length & 0xff, ...v);
  }
  const head = Uint8Array.from(parts);
  const total = 12 + head.length + body.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, head.length);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  out.set(head, 12);
  out.set(body, 12 + head.length);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

/** An `event` frame as ConverseStream sends it (Bedrock pads payloads with a `p` field: kept, to show it is ignored). */
export const eventFrame = (type: string, payload: unknown, pad = true): Uint8Array =>
  encodeFrame(
    [
      [":event-type", type],
      [":content-type", "application/json"],
      [":message-type", "event"],
    ],
    JSON.stringify(pad && payload && typeof payload === "object" ? { ...payload, p: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ" } : payload),
  );

/** An `exception` frame (`:exception-type`, JSON payload), in the recorded frame's header order. */
export const exceptionFrame = (type: string, payload: unknown): Uint8Array =>
  encodeFrame(
    [
      [":message-type", "exception"],
      [":exception-type", type],
      [":content-type", "application/json"],
    ],
    JSON.stringify(payload),
  );

/** A `*.chunks.txt` fixture (one `{eventType: payload}` line per event) as eventstream frames. */
export function framesOf(chunks: string): Uint8Array[] {
  return chunks
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const [type, payload] = Object.entries(JSON.parse(l) as Record<string, unknown>)[0]!;
      return eventFrame(type, payload);
    });
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The whole stream's bytes. */
export const streamBytes = (chunks: string): Uint8Array => concat(framesOf(chunks));

/** Bytes cut every `size` bytes. */
export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** Bytes cut at pseudo-random offsets (1..max bytes), reproducibly from `seed`. */
export function splitRandom(bytes: Uint8Array, seed: number, max = 40): Uint8Array[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + (next() % max);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

export const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

// ---- the adapter ------------------------------------------------------------------------------

export const ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
export const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const SESSION_TOKEN = "FwoGZXIvYXdzEBYaDH-test-session-token-0123456789";

export function bedrockDep(model = "anthropic.claude-3-5-sonnet-20240620-v1:0", params: Record<string, unknown> = {}, extra: Partial<Deployment> = {}): Deployment {
  return {
    id: "bedrock-unit",
    modelName: "claude-bedrock",
    provider: "bedrock",
    model,
    params: { aws_access_key_id: ACCESS_KEY, aws_secret_access_key: SECRET_KEY, aws_region_name: "us-west-2", ...params },
    costs: {},
    ...extra,
  };
}

export function adapterCtx(extra: Partial<AdapterContext> = {}): AdapterContext {
  return { requestId: "req-1", created: 1700000000, includeUsage: false, dropParams: false, ...extra };
}

export interface StreamRun {
  /** Every `data:` payload the client got, JSON-parsed ("[DONE]" kept as a string). */
  events: Array<Record<string, any> | "[DONE]">;
  usage: Usage | null;
  outcome: StreamOutcome | null;
}

/** Feeds `parts` through the adapter's stream and collects what an OpenAI client would receive. */
export async function runStream(parts: Uint8Array[], ctx = adapterCtx(), dep = bedrockDep()): Promise<StreamRun> {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(parts[i++]!);
      else c.close();
    },
  });
  let usage: Usage | null = null;
  let outcome: StreamOutcome | null = null;
  const out = bedrockChat.stream(body, dep, ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) });
  const text = await new Response(out).text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const data = e.replace(/^data: /, "");
      return data === "[DONE]" ? "[DONE]" : (JSON.parse(data) as Record<string, any>);
    });
  return { events, usage, outcome };
}

/** The chunks of a run (without [DONE] or an error event). */
export const chunksOf = (run: StreamRun) => run.events.filter((e): e is Record<string, any> => e !== "[DONE]" && !("error" in e));
export const errorOf = (run: StreamRun) => run.events.find((e): e is Record<string, any> => e !== "[DONE]" && "error" in e)?.error;

/** What the deltas add up to, as an OpenAI client accumulates them. */
export function accumulate(run: StreamRun) {
  let content = "";
  let reasoning = "";
  const tools: Array<{ id?: string; name?: string; arguments: string }> = [];
  let finish: string | null = null;
  for (const c of chunksOf(run)) {
    const choice = c.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? "";
    reasoning += choice.delta.reasoning_content ?? "";
    for (const t of choice.delta.tool_calls ?? []) {
      tools[t.index] ??= { arguments: "" };
      if (t.id) tools[t.index]!.id = t.id;
      if (t.function?.name) tools[t.index]!.name = t.function.name;
      tools[t.index]!.arguments += t.function?.arguments ?? "";
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { content, reasoning, tools, finish };
}

/** The Converse body the adapter builds for an OpenAI request. */
export const body = async (req: Record<string, unknown>, model?: string, ctx = adapterCtx()) =>
  (await converseBody(parseChatRequest({ model: "claude-bedrock", ...req }), bedrockDep(model), ctx)) as unknown as Record<string, any>;

/** The GatewayError a request is refused with. */
export async function refusal(req: Record<string, unknown>, model?: string, ctx = adapterCtx()): Promise<GatewayError> {
  try {
    await body(req, model, ctx);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

export const user = (content: unknown) => ({ role: "user", content });

/// <reference types="vite/client" />
// Shared by the gemini and vertex test files: fixtures (bundled with ?raw: tests never read the disk
// at run time), SSE framing as Gemini sends it, and a runner for the adapter's stream translation.
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import type { StreamOutcome } from "../../src/http/sse";
import { geminiChat } from "../../src/providers/gemini";
import { geminiBody } from "../../src/providers/gemini/request";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";
import recorded429 from "../fixtures/recorded/google/error-429-retry-info.json?raw";
import recordedTextStream from "../fixtures/recorded/google/text.chunks.txt?raw";
import recordedText from "../fixtures/recorded/google/text.json?raw";
import recordedToolStream from "../fixtures/recorded/google/tool-call.chunks.txt?raw";
import recordedTool from "../fixtures/recorded/google/tool-call.json?raw";
import blockedPrompt from "../fixtures/gemini/blocked-prompt.json?raw";
import candidates from "../fixtures/gemini/candidates.json?raw";
import embeddings from "../fixtures/gemini/embeddings.json?raw";
import errorApiKey from "../fixtures/gemini/error-api-key-invalid.json?raw";
import errorContext from "../fixtures/gemini/error-context-length.json?raw";
import errorPermission from "../fixtures/gemini/error-permission-denied.json?raw";
import errorUnauthenticated from "../fixtures/gemini/error-unauthenticated.json?raw";
import errorUnavailable from "../fixtures/gemini/error-unavailable.json?raw";
import errorVertexArray from "../fixtures/gemini/error-vertex-array.json?raw";
import parallelTools from "../fixtures/gemini/parallel-tools.json?raw";
import safetyFinish from "../fixtures/gemini/safety-finish.json?raw";
import streamError from "../fixtures/gemini/stream-error.chunks.txt?raw";
import thinkingStream from "../fixtures/gemini/thinking.chunks.txt?raw";
import truncated from "../fixtures/gemini/truncated.chunks.txt?raw";
import vertexPredict from "../fixtures/gemini/vertex-predict.json?raw";

export const fixtures = {
  recordedText,
  recordedTool,
  recordedTextStream,
  recordedToolStream,
  recorded429,
  blockedPrompt,
  candidates,
  embeddings,
  errorApiKey,
  errorContext,
  errorPermission,
  errorUnauthenticated,
  errorUnavailable,
  errorVertexArray,
  parallelTools,
  safetyFinish,
  streamError,
  thinkingStream,
  truncated,
  vertexPredict,
};

/** A `*.chunks.txt` fixture (one JSON payload a line) as Gemini's SSE (`alt=sse`): `data: <json>` events, CRLF-free, no [DONE]. */
export function geminiSse(chunks: string): string {
  return chunks
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `data: ${l}\r\n\r\n`)
    .join("");
}

/** The UTF-8 bytes of `text`, cut every `size` bytes (odd sizes cut events, lines and characters apart). */
export function splitBytes(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

export const GEMINI_KEY = "AIzaSy-unit-secret-0123456789";

export function geminiDep(model = "gemini-2.5-flash", extra: Partial<Deployment> = {}): Deployment {
  return {
    id: "gem-unit",
    modelName: "gemini",
    provider: "gemini",
    model,
    apiKey: GEMINI_KEY,
    params: { api_key: GEMINI_KEY },
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
  text: string;
  usage: Usage | null;
  outcome: StreamOutcome | null;
}

/** Feeds `parts` through the adapter's stream and collects what an OpenAI client would receive. */
export async function runStream(parts: Uint8Array[], ctx = adapterCtx(), dep = geminiDep()): Promise<StreamRun> {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(parts[i++]!);
      else c.close();
    },
  });
  let usage: Usage | null = null;
  let outcome: StreamOutcome | null = null;
  const out = geminiChat.stream(body, dep, ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) });
  const text = await new Response(out).text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const data = e.replace(/^data: /, "");
      return data === "[DONE]" ? "[DONE]" : (JSON.parse(data) as Record<string, any>);
    });
  return { events, text, usage, outcome };
}

/** The chunks of a run (without [DONE] or an error event). */
export const chunksOf = (run: StreamRun) => run.events.filter((e): e is Record<string, any> => e !== "[DONE]" && !("error" in e));

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

/** The generateContent body the adapter builds for an OpenAI request. */
export const body = (req: Record<string, unknown>, model = "gemini-2.5-flash", ctx = adapterCtx()) =>
  geminiBody(parseChatRequest({ model: "gemini", ...req }), model, ctx) as unknown as Promise<Record<string, any>>;

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

/// <reference types="vite/client" />
// Shared by the anthropic test files: fixtures (bundled with ?raw: tests never read the disk at run
// time), SSE framing as Anthropic sends it, and a runner for the adapter's stream translation.
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import type { StreamOutcome } from "../../src/http/sse";
import { anthropicChat } from "../../src/providers/anthropic";
import { anthropicBody } from "../../src/providers/anthropic/request";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";
import recordedDuplicate from "../fixtures/recorded/anthropic/duplicate-message-start.chunks.txt?raw";
import recordedTextStream from "../fixtures/recorded/anthropic/text.chunks.txt?raw";
import recordedText from "../fixtures/recorded/anthropic/text.json?raw";
import recordedToolStream from "../fixtures/recorded/anthropic/tool-use.chunks.txt?raw";
import recordedTool from "../fixtures/recorded/anthropic/tool-use.json?raw";
import cacheUsage from "../fixtures/anthropic/cache-usage.json?raw";
import errorApi from "../fixtures/anthropic/error-api.json?raw";
import errorAuth from "../fixtures/anthropic/error-authentication.json?raw";
import errorNotFound from "../fixtures/anthropic/error-not-found.json?raw";
import errorOverloaded from "../fixtures/anthropic/error-overloaded.json?raw";
import errorPermission from "../fixtures/anthropic/error-permission.json?raw";
import errorPromptTooLong from "../fixtures/anthropic/error-prompt-too-long.json?raw";
import errorRateLimit from "../fixtures/anthropic/error-rate-limit.json?raw";
import jsonToolStream from "../fixtures/anthropic/json-tool.chunks.txt?raw";
import parallelTools from "../fixtures/anthropic/parallel-tools.chunks.txt?raw";
import streamError from "../fixtures/anthropic/stream-error.chunks.txt?raw";
import thinkingStream from "../fixtures/anthropic/thinking.chunks.txt?raw";
import thinking from "../fixtures/anthropic/thinking.json?raw";
import truncated from "../fixtures/anthropic/truncated.chunks.txt?raw";

export const fixtures = {
  recordedText,
  recordedTool,
  recordedTextStream,
  recordedToolStream,
  recordedDuplicate,
  cacheUsage,
  thinking,
  thinkingStream,
  parallelTools,
  streamError,
  truncated,
  jsonToolStream,
  errorApi,
  errorAuth,
  errorNotFound,
  errorOverloaded,
  errorPermission,
  errorPromptTooLong,
  errorRateLimit,
};

/** A `*.chunks.txt` fixture (one JSON event a line) as Anthropic's SSE: `event: <type>` then `data: <json>`. */
export function anthropicSse(chunks: string): string {
  return chunks
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`)
    .join("");
}

/** The UTF-8 bytes of `text`, cut every `size` bytes (odd sizes cut events, lines and characters apart). */
export function splitBytes(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

export function anthropicDep(model = "claude-sonnet-4-5-20250929", extra: Partial<Deployment> = {}): Deployment {
  return {
    id: "anth-unit",
    modelName: "claude",
    provider: "anthropic",
    model,
    apiKey: "sk-ant-unit-secret-0123456789",
    params: { api_key: "sk-ant-unit-secret-0123456789" },
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
export async function runStream(parts: Uint8Array[], ctx = adapterCtx(), dep = anthropicDep()): Promise<StreamRun> {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(parts[i++]!);
      else c.close();
    },
  });
  let usage: Usage | null = null;
  let outcome: StreamOutcome | null = null;
  const out = anthropicChat.stream(body, dep, ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) });
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

/** The Messages API body the adapter builds for an OpenAI request (model group "claude"). */
export const body = (req: Record<string, unknown>, model?: string, ctx = adapterCtx()) =>
  anthropicBody(parseChatRequest({ model: "claude", ...req }), anthropicDep(model), ctx) as unknown as Record<string, any>;

/** The GatewayError a request is refused with. */
export function refusal(req: Record<string, unknown>, model?: string, ctx = adapterCtx()): GatewayError {
  try {
    body(req, model, ctx);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

export const user = (content: unknown) => ({ role: "user", content });

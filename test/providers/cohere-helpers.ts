/// <reference types="vite/client" />
// Shared by the cohere test files: a deployment, the adapter context, Cohere's SSE framing and a
// runner that feeds bytes through the adapter's stream the way an OpenAI client would read it.
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import type { StreamOutcome } from "../../src/http/sse";
import { cohereChat } from "../../src/providers/cohere";
import { cohereBody } from "../../src/providers/cohere/request";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";

export function cohereDep(extra: Partial<Deployment> = {}): Deployment {
  return {
    id: "cohere-unit",
    modelName: "cohere-chat",
    provider: "cohere",
    model: "command-a-03-2025",
    apiKey: "cohere-unit-secret-0123456789",
    params: { api_key: "cohere-unit-secret-0123456789" },
    costs: {},
    ...extra,
  };
}

export const ctxOf = (extra: Partial<AdapterContext> = {}): AdapterContext => ({ requestId: "req-1", created: 1700000000, includeUsage: false, dropParams: false, ...extra });

/** A `*.chunks.txt` fixture (one JSON event a line) as Cohere sends it: `event: <type>` then `data: <json>`. */
export function cohereSse(lines: string, keep = Infinity): string {
  return lines
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, keep)
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

export interface StreamRun {
  events: Array<Record<string, any> | "[DONE]">;
  usage: Usage | null;
  outcome: StreamOutcome | null;
}

export async function runStream(parts: Uint8Array[], ctx = ctxOf(), dep = cohereDep()): Promise<StreamRun> {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(parts[i++]!);
      else c.close();
    },
  });
  let usage: Usage | null = null;
  let outcome: StreamOutcome | null = null;
  const text = await new Response(cohereChat.stream(body, dep, ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) })).text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const data = e.replace(/^data: /, "");
      return data === "[DONE]" ? "[DONE]" : (JSON.parse(data) as Record<string, any>);
    });
  return { events, usage, outcome };
}

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

/** The v2 body the adapter builds for an OpenAI request. */
export const body = (req: Record<string, unknown>, ctx = ctxOf()) => cohereBody(parseChatRequest({ model: "cohere-chat", ...req }), cohereDep(), ctx) as Record<string, any>;

/** The GatewayError a request is refused with. */
export function refusal(req: Record<string, unknown>, ctx = ctxOf()): GatewayError {
  try {
    body(req, ctx);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

export const user = (content: unknown) => ({ role: "user", content });

import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import type { StreamOutcome } from "../../src/http/sse";
import { providerFor } from "../../src/providers/registry";
import { workersAiProvider } from "../../src/providers/workers-ai";
import { accountCheck, workersAiBase } from "../../src/providers/workers-ai/base";
import { workersAiError } from "../../src/providers/workers-ai/errors";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";
import error10000 from "../fixtures/workers-ai/error-10000.json?raw";
import error3036 from "../fixtures/workers-ai/error-3036.json?raw";
import error5007 from "../fixtures/workers-ai/error-5007.json?raw";
import textStream from "../fixtures/workers-ai/text.chunks.txt?raw";

const dep = (extra: Partial<Deployment> = {}): Deployment => ({
  id: "cf-unit",
  modelName: "cf-llama",
  provider: "workers_ai",
  model: "@cf/meta/llama-3.1-8b-instruct",
  apiKey: "cf-unit-token-0123456789",
  params: { api_key: "cf-unit-token-0123456789", cloudflare_account_id: "acc42" },
  costs: {},
  ...extra,
});
const ctxOf = (extra: Partial<AdapterContext> = {}): AdapterContext => ({ requestId: "req-1", created: 1700000000, includeUsage: false, dropParams: false, ...extra });

function sse(lines: string, size: number, done: boolean): Uint8Array[] {
  const text =
    lines
      .trim()
      .split("\n")
      .map((l) => `data: ${l}\n\n`)
      .join("") + (done ? "data: [DONE]\n\n" : "");
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

async function run(parts: Uint8Array[], ctx = ctxOf()) {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({ pull: (c) => (i < parts.length ? c.enqueue(parts[i++]!) : c.close()) });
  let usage: Usage | null = null;
  let outcome: StreamOutcome | null = null;
  const text = await new Response(workersAiProvider.chat.stream(body, dep(), ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) })).text();
  const events = text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ""));
  const chunks = events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Record<string, any>);
  return { events, chunks, usage: usage as Usage | null, outcome };
}

describe("workers ai base URL", () => {
  it("from cloudflare_account_id, or from an api_base naming the account, an AI Gateway or anything else", () => {
    expect(workersAiBase(dep())).toBe("https://api.cloudflare.com/client/v4/accounts/acc42/ai/v1");
    for (const apiBase of [
      "https://api.cloudflare.com/client/v4/accounts/acc7/ai/run/",
      "https://api.cloudflare.com/client/v4/accounts/acc7/ai/run",
      "https://api.cloudflare.com/client/v4/accounts/acc7/ai",
      "https://api.cloudflare.com/client/v4/accounts/acc7/ai/v1/",
    ]) {
      expect(workersAiBase(dep({ apiBase }))).toBe("https://api.cloudflare.com/client/v4/accounts/acc7/ai/v1");
    }
    expect(workersAiBase(dep({ apiBase: "https://gateway.ai.cloudflare.com/v1/acc7/gw/workers-ai/" }))).toBe("https://gateway.ai.cloudflare.com/v1/acc7/gw/workers-ai/v1");
    expect(workersAiBase(dep({ apiBase: "https://proxy.internal.test/cf/v1" }))).toBe("https://proxy.internal.test/cf/v1");
  });

  it("a deployment with neither an account id nor an api_base is unusable, said when the config loads", () => {
    const bare = dep({ params: { api_key: "t" } });
    expect(accountCheck(bare)).toContain("cloudflare_account_id");
    expect(() => workersAiBase(bare)).toThrow(GatewayError);
    expect(accountCheck(dep())).toBeUndefined();
  });

  it("is registered under workers_ai/ and LiteLLM's cloudflare/, priced as cloudflare", () => {
    expect(providerFor("workers_ai")).toBe(workersAiProvider);
    expect(providerFor("cloudflare")).toBe(workersAiProvider);
    expect(workersAiProvider.priceProvider).toBe("cloudflare");
  });
});

describe("workers ai requests", () => {
  const request = (body: Record<string, unknown>, ctx = ctxOf()) =>
    workersAiProvider.chat.request(parseChatRequest({ model: "cf-llama", messages: [{ role: "user", content: "hi" }], ...body }), dep(), ctx) as Request;

  it("refuses JSON mode on a stream (Workers AI's JSON mode does not stream), drops it with drop_params", async () => {
    const schema = { type: "json_schema", json_schema: { name: "A", schema: { type: "object" } } };
    expect(() => request({ stream: true, response_format: schema })).toThrow(expect.objectContaining({ status: 400, param: "response_format" }));
    expect(await request({ stream: true, response_format: { type: "json_object" } }, ctxOf({ dropParams: true })).json()).not.toHaveProperty("response_format");
    expect(await request({ response_format: schema }).json()).toMatchObject({ response_format: schema });
  });
});

describe("workers ai stream", () => {
  for (const size of [100_000, 1, 7]) {
    it(`passes the stream through with [DONE], cut every ${size} bytes`, async () => {
      const r = await run(sse(textStream, size, true), ctxOf({ includeUsage: true }));
      expect(r.chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Bonjour, ça va ?");
      expect(r.chunks.at(-1)!.usage).toEqual({ prompt_tokens: 15, completion_tokens: 6, total_tokens: 21 });
      expect(r.events.at(-1)).toBe("[DONE]");
      expect(r.outcome).toBe("complete");
    });
  }

  it("a stream that closes after its finish_reason without [DONE] is complete, and gets [DONE]", async () => {
    const r = await run(sse(textStream, 9, false));
    expect(r.events.at(-1)).toBe("[DONE]");
    expect(r.chunks.every((c) => !c.usage)).toBe(true);
    expect(r.usage).toEqual({ prompt_tokens: 15, completion_tokens: 6, total_tokens: 21 });
    expect(r.outcome).toBe("complete");
  });

  it("a stream that closes before any finish_reason ends in an error event", async () => {
    const r = await run(sse(textStream.trim().split("\n").slice(0, 2).join("\n"), 9, false));
    expect(JSON.parse(r.events.at(-1)!)).toHaveProperty("error");
    expect(r.events).not.toContain("[DONE]");
    expect(r.outcome).toBe("error");
  });

  it("usage carried on the finish chunk (no separate usage chunk) is read, and kept from a client that did not ask", async () => {
    const lines = [
      '{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}',
      '{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}',
    ].join("\n");
    const r = await run(sse(lines, 5, true));
    expect(r.usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    expect(r.chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: "stop" }] });
    expect(r.chunks.at(-1)).not.toHaveProperty("usage");
  });
});

describe("workers ai errors", () => {
  const err = (status: number, body: string) => workersAiError(status, body, new Headers(), dep());

  it("reads Cloudflare's envelope: the status passes on, messages carry their codes", () => {
    expect(err(429, error3036)).toMatchObject({ status: 429, type: "rate_limit_exceeded" });
    expect(err(429, error3036).message).toContain("daily free allocation of 10,000 neurons");
    expect(err(429, error3036).message).toContain("(Workers AI error 3036)");
    expect(err(401, error10000)).toMatchObject({ status: 401, type: "authentication_error", message: "Authentication error (Workers AI error 10000)" });
    expect(err(400, error5007)).toMatchObject({ status: 400, type: "invalid_request_error" });
  });

  it("an OpenAI-shaped or plain body is read too; the token is never echoed", () => {
    expect(err(400, JSON.stringify({ error: { message: "bad", type: "invalid_request_error", code: "x" } }))).toMatchObject({ message: "bad", code: "x" });
    expect(err(502, "bad gateway")).toMatchObject({ status: 502, message: "bad gateway" });
    expect(err(401, JSON.stringify({ errors: [{ code: 1, message: "token cf-unit-token-0123456789 rejected" }] })).message).toBe("token [redacted] rejected (Workers AI error 1)");
  });
});

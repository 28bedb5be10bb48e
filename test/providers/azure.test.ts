import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/config/deployment";
import type { StreamOutcome } from "../../src/http/sse";
import { azureProvider } from "../../src/providers/azure";
import { azureError } from "../../src/providers/azure/errors";
import { azureHeaders, azureUrl, credentialsProblem, takesStreamOptions } from "../../src/providers/azure/url";
import type { AdapterContext, Usage } from "../../src/providers/types";
import { parseChatRequest } from "../../src/api/chat";
import contentFilterStream from "../fixtures/azure/content-filter.chunks.txt?raw";
import errorContentFilter from "../fixtures/azure/error-content-filter.json?raw";
import errorContext from "../fixtures/azure/error-context-length.json?raw";
import errorNotFound from "../fixtures/azure/error-deployment-not-found.json?raw";
import error401 from "../fixtures/azure/error-401.json?raw";
import error429 from "../fixtures/azure/error-429.json?raw";
import toolStream from "../fixtures/azure/tool-call.chunks.txt?raw";
import recorded from "../fixtures/recorded/azure/stream-content-filter.chunks.txt?raw";

const dep = (extra: Partial<Deployment> = {}): Deployment => ({
  id: "az-unit",
  modelName: "azure-gpt",
  provider: "azure",
  model: "my-gpt-deployment",
  apiBase: "https://myres.openai.azure.test",
  apiKey: "azure-unit-key-0123456789",
  params: { api_key: "azure-unit-key-0123456789" },
  costs: {},
  ...extra,
});
const ctxOf = (extra: Partial<AdapterContext> = {}): AdapterContext => ({ requestId: "req-1", created: 1700000000, includeUsage: false, dropParams: false, ...extra });

/** A `*.chunks.txt` fixture as Azure sends it: one `data:` line per chunk, then `[DONE]`, cut every `size` bytes. */
function azureSse(lines: string, size: number, done = true): Uint8Array[] {
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
  const text = await new Response(azureProvider.chat.stream(body, dep(), ctx, { usage: (u) => (usage = u), end: (o) => (outcome = o) })).text();
  const events = text
    .split(/\n\n/)
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ""));
  const chunks = events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Record<string, any>);
  return { events, chunks, usage: usage as Usage | null, outcome };
}

const contentOf = (chunks: Record<string, any>[]) => chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");

describe("azure URLs and credentials", () => {
  it("deployment URLs with the api-version, the dated GA default when none is set", () => {
    expect(azureUrl(dep({ apiVersion: "2025-01-01-preview" }), "chat/completions")).toBe(
      "https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions?api-version=2025-01-01-preview",
    );
    expect(azureUrl(dep(), "embeddings")).toBe("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/embeddings?api-version=2024-10-21");
    // api_base as the resource root, with or without /openai, a trailing slash, or /openai/v1.
    for (const apiBase of ["https://myres.openai.azure.test/", "https://myres.openai.azure.test/openai", "https://myres.openai.azure.test/openai/"]) {
      expect(azureUrl(dep({ apiBase }), "chat/completions")).toBe("https://myres.openai.azure.test/openai/deployments/my-gpt-deployment/chat/completions?api-version=2024-10-21");
    }
    // LiteLLM's family routes are not part of the deployment name.
    expect(azureUrl(dep({ model: "o_series/my-o3" }), "chat/completions")).toContain("/openai/deployments/my-o3/chat/completions?");
    expect(azureUrl(dep({ model: "gpt5_series/my-gpt5" }), "chat/completions")).toContain("/openai/deployments/my-gpt5/chat/completions?");
  });

  it("Azure's v1 API for api_version v1, latest or preview (LiteLLM's rule): no deployment path, no api-version", () => {
    for (const apiVersion of ["v1", "latest", "preview", "V1"]) {
      expect(azureUrl(dep({ apiVersion }), "chat/completions")).toBe("https://myres.openai.azure.test/openai/v1/chat/completions");
      expect(azureUrl(dep({ apiVersion, apiBase: "https://myres.openai.azure.test/openai/v1/" }), "embeddings")).toBe("https://myres.openai.azure.test/openai/v1/embeddings");
    }
  });

  it("api-key, or an Entra ID token as a bearer (it wins over api_key)", () => {
    expect(Object.fromEntries(azureHeaders(dep()))).toEqual({ "content-type": "application/json", "api-key": "azure-unit-key-0123456789" });
    const ad = azureHeaders(dep({ params: { azure_ad_token: "entra-token-0123456789" } }));
    expect(ad.get("authorization")).toBe("Bearer entra-token-0123456789");
    expect(ad.get("api-key")).toBeNull();
    expect(credentialsProblem(dep({ apiKey: undefined, params: {} }))).toContain("no credentials");
    expect(credentialsProblem(dep({ params: { azure_ad_token: "oidc/github/x" } }))).toContain("not supported");
    expect(credentialsProblem(dep())).toBeUndefined();
  });

  it("asks for stream usage only from api-versions that take stream_options", () => {
    expect(takesStreamOptions(dep())).toBe(true);
    expect(takesStreamOptions(dep({ apiVersion: "2024-09-01-preview" }))).toBe(true);
    expect(takesStreamOptions(dep({ apiVersion: "v1" }))).toBe(true);
    expect(takesStreamOptions(dep({ apiVersion: "2024-06-01" }))).toBe(false);
    expect(takesStreamOptions(dep({ apiVersion: "2023-05-15" }))).toBe(false);
    const req = parseChatRequest({ model: "m", messages: [{ role: "user", content: "x" }], stream: true });
    const old = azureProvider.chat.request(req, dep({ apiVersion: "2024-02-01" }), ctxOf()) as Request;
    expect(old.url).toContain("api-version=2024-02-01");
  });
});

describe("azure stream (recorded traffic)", () => {
  for (const size of [100_000, 1, 3, 7, 37]) {
    it(`drops the empty-id prompt-filter chunk and keeps the rest, cut every ${size} bytes`, async () => {
      const r = await run(azureSse(recorded, size), ctxOf({ includeUsage: true }));
      expect(contentOf(r.chunks)).toBe("Capital of Denmark.");
      expect(r.chunks.some((c) => "prompt_filter_results" in c)).toBe(false);
      expect(new Set(r.chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt"]));
      expect(r.chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
      expect(r.chunks[0]!.choices[0].delta.role).toBe("assistant");
      expect(r.chunks.at(-2)!.choices[0].finish_reason).toBe("stop");
      expect(r.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 15, completion_tokens: 78, completion_tokens_details: { reasoning_tokens: 64 } } });
      expect(r.usage).toEqual({ prompt_tokens: 15, completion_tokens: 78, total_tokens: 93, reasoning_tokens: 64 });
      expect(r.events.at(-1)).toBe("[DONE]");
      expect(r.outcome).toBe("complete");
    });
  }

  it("without include_usage the usage chunk is not sent, and the sink still prices the call", async () => {
    const r = await run(azureSse(recorded, 11));
    expect(r.chunks.every((c) => c.usage == null)).toBe(true);
    expect(r.chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(r.usage).toMatchObject({ completion_tokens: 78, reasoning_tokens: 64 });
  });

  it("a stream cut before [DONE] ends in an error event", async () => {
    const r = await run(azureSse(recorded.trim().split("\n").slice(0, 4).join("\n"), 9, false));
    expect(JSON.parse(r.events.at(-1)!)).toHaveProperty("error");
    expect(r.events).not.toContain("[DONE]");
    expect(r.outcome).toBe("error");
  });
});

describe("azure stream (fixtures from the API reference)", () => {
  it("finish_reason content_filter and the choice's content_filter_results pass on", async () => {
    const r = await run(azureSse(contentFilterStream, 5));
    expect(contentOf(r.chunks)).toBe("The story begins");
    const last = r.chunks.at(-1)!.choices[0];
    expect(last).toMatchObject({ finish_reason: "content_filter", content_filter_results: { violence: { filtered: true, severity: "medium" } } });
    expect(r.chunks.some((c) => c.id === "")).toBe(false);
  });

  it("a streamed tool call, as Azure sends it", async () => {
    const r = await run(azureSse(toolStream, 13), ctxOf({ includeUsage: true }));
    const calls = r.chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: "call_Az1GxkPq7aT2", type: "function", function: { name: "get_weather", arguments: "" } });
    expect(JSON.parse(calls.map((t: any) => t.function.arguments).join(""))).toEqual({ city: "Copenhagen" });
    expect(r.chunks.at(-2)!.choices[0].finish_reason).toBe("tool_calls");
    expect(r.chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 61, completion_tokens: 16 });
  });
});

describe("azure errors", () => {
  const err = (status: number, body: string, headers: Record<string, string> = {}) => azureError(status, body, new Headers(headers), dep());

  it("a content-filter refusal is content_policy_violation", () => {
    expect(err(400, errorContentFilter)).toMatchObject({ status: 400, type: "invalid_request_error", code: "content_policy_violation", param: "prompt" });
  });

  it("a bare status code says no more than the status; retry hints pass on", () => {
    expect(err(429, error429, { "retry-after": "6", "retry-after-ms": "5200" })).toMatchObject({
      status: 429,
      type: "rate_limit_exceeded",
      code: "rate_limit_exceeded",
      headers: { "retry-after": "6", "retry-after-ms": "5200" },
    });
    expect(err(401, error401)).toMatchObject({ status: 401, type: "authentication_error", code: null });
  });

  it("Azure's own codes pass on: context length, missing deployment", () => {
    expect(err(400, errorContext)).toMatchObject({ status: 400, code: "context_length_exceeded", param: "messages" });
    expect(err(404, errorNotFound)).toMatchObject({ status: 404, code: "DeploymentNotFound" });
  });

  it("never echoes the deployment's key", () => {
    expect(err(401, JSON.stringify({ error: { message: "key azure-unit-key-0123456789 is wrong" } })).message).toBe("key [redacted] is wrong");
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { isolateHealth } from "../../src/router/health";
import { eventually, newKey, openai, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { answer, msgs, rowsOf } from "./helpers";

afterEach(resetUpstreams);

describe("mock_response", () => {
  it("answers without an upstream, priced as LiteLLM prices a mock (10 prompt + 20 completion tokens)", async () => {
    const k = await newKey();
    const { data, response } = await openai(k.key)
      .chat.completions.create({ model: "dropin-a", messages: msgs, mock_response: "mocked hello" } as never)
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("mocked hello");
    expect(data.object).toBe("chat.completion");
    expect(data.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
    expect(received).toHaveLength(0);
    // 10 * 0.000001 + 20 * 0.000002
    expect(Number(response.headers.get("x-litellm-response-cost"))).toBeCloseTo(0.00005, 12);
    const id = response.headers.get("x-request-id")!;
    const row = await eventually(async () => (await rowsOf(k.token)).find((r) => r.request_id === id));
    expect(row).toMatchObject({ status: "success", prompt_tokens: 10, completion_tokens: 20, deployment: "dropin-a" });
    expect(row.spend).toBeCloseTo(0.00005, 12);
    expect(row.metadata.mock).toBe(true);
  });

  it("streams the mocked answer in chunks, with usage when asked, and records its spend", async () => {
    const k = await newKey();
    const stream = await openai(k.key).chat.completions.create({
      model: "dropin-a",
      messages: msgs,
      stream: true,
      stream_options: { include_usage: true },
      mock_response: "a streamed mock answer",
    } as never);
    let text = "";
    let usage: unknown;
    let chunks = 0;
    for await (const c of stream as unknown as AsyncIterable<{ choices: Array<{ delta: { content?: string } }>; usage?: unknown }>) {
      chunks++;
      text += c.choices[0]?.delta.content ?? "";
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe("a streamed mock answer");
    expect(chunks).toBeGreaterThan(3);
    expect(usage).toMatchObject({ completion_tokens: 6 });
    expect(received).toHaveLength(0);
    const rows = await eventually(async () => {
      const r = await rowsOf(k.token);
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ status: "success", completion_tokens: 6 });
    expect(rows[0]!.spend).toBeGreaterThan(0);
  });

  it("is refused on a route that cannot mock (never silently ignored), and LiteLLM's error names fail as mocked", async () => {
    const k = await newKey();
    const emb = await post("/v1/embeddings", { model: "dropin-a", input: "x", mock_response: "x" }, k.key);
    expect(emb.status).toBe(400);
    expect((await emb.json()).error.param).toBe("mock_response");
    const ctx = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, mock_response: "litellm.ContextWindowExceededError" }, k.key);
    expect(ctx.status).toBe(400);
    expect((await ctx.json()).error.code).toBe("context_length_exceeded");
    const rl = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, mock_response: "litellm.RateLimitError" }, k.key);
    expect(rl.status).toBe(429);
    expect(received).toHaveLength(0);
  });
});

describe("mock_testing_fallbacks and mock_testing_rate_limit_error", () => {
  it("the requested group fails without an upstream call, the fallbacks run, and nothing cools", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("from-a"));
    fakeUpstream("https://dropin-b.test/v1", () => answer("from-b"));
    const k = await newKey();
    for (let i = 0; i < 6; i++) {
      const { data, response } = await openai(k.key)
        .chat.completions.create({ model: "dropin-a", messages: msgs, mock_testing_fallbacks: true, fallbacks: ["dropin-b"] } as never)
        .withResponse();
      expect(data.choices[0]!.message.content).toBe("from-b");
      expect(response.headers.get("x-litellm-attempted-fallbacks")).toBe("1");
    }
    expect(received.every((r) => r.url.startsWith("https://dropin-b.test"))).toBe(true);
    expect(isolateHealth.coolingUntil("dropin-a", Date.now())).toBe(0);
    const direct = await openai(k.key).chat.completions.create({ model: "dropin-a", messages: msgs });
    expect(direct.choices[0]!.message.content).toBe("from-a");
  });

  it("mock_testing_rate_limit_error answers LiteLLM's 429 without fallbacks, and a mocked failure never cools", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("from-a"));
    const k = await newKey();
    for (let i = 0; i < 4; i++) {
      const res = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, mock_testing_rate_limit_error: true }, k.key);
      expect(res.status).toBe(429);
      expect((await res.json()).error.message).toContain("This is a mock exception for model=dropin-a, to trigger a rate limit error.");
    }
    expect(received).toHaveLength(0);
    expect(isolateHealth.coolingUntil("dropin-a", Date.now())).toBe(0);
    const rows = await eventually(async () => {
      const r = await rowsOf(k.token);
      return r.length === 4 ? r : undefined;
    });
    expect(rows.every((r) => r.status === "failure" && r.metadata.mock === true && !r.metadata.attempts)).toBe(true);
  });
});

describe("mock_response and the response cache", () => {
  it("a mocked answer is never cached, nor served from the cache", async () => {
    const cfg = {
      model_list: [{ model_name: "dropin-a", litellm_params: { model: "openai/dropin-a", api_base: "https://dropin-a.test/v1", api_key: "k" }, model_info: { id: "dropin-a" } }],
      litellm_settings: { cache: true, cache_params: { type: "local" } },
    };
    fakeUpstream("https://dropin-a.test/v1", () => answer("real"));
    const messages = [{ role: "user", content: `q-${crypto.randomUUID()}` }];
    const ask = async (extra: Record<string, unknown>) => {
      const res = await withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "dropin-a", messages, ...extra }) });
      return ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    };
    expect(await ask({ mock_response: "mocked" })).toBe("mocked");
    expect(await ask({})).toBe("real");
    expect(await ask({})).toBe("real");
    expect(received).toHaveLength(1);
    expect(await ask({ mock_response: "mocked again" })).toBe("mocked again");
  });
});

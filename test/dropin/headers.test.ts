import { afterEach, describe, expect, it } from "vitest";
import { gw, newKey, openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, resetUpstreams, sse } from "../helpers/upstream";
import { answer, failing, msgs, slow } from "./helpers";

afterEach(resetUpstreams);

const num = (h: Headers, name: string) => Number(h.get(name));

describe("LiteLLM's x-litellm-* response headers on model calls", () => {
  it("call id, model group, api base (origin only), response and overhead durations", async () => {
    fakeUpstream("https://dropin-a.test/v1", slow(120, "ok"));
    const k = await newKey();
    const { response } = await openai(k.key).chat.completions.create({ model: "dropin-a", messages: msgs }).withResponse();
    const h = response.headers;
    expect(h.get("x-litellm-call-id")).toBe(h.get("x-request-id"));
    expect(h.get("x-litellm-model-group")).toBe("dropin-a");
    expect(h.get("x-litellm-model-api-base")).toBe("https://dropin-a.test");
    expect(h.get("x-litellm-model-id")).toBe("dropin-a");
    expect(num(h, "x-litellm-response-duration-ms")).toBeGreaterThanOrEqual(120);
    expect(num(h, "x-litellm-overhead-duration-ms")).toBeGreaterThanOrEqual(0);
    expect(num(h, "x-litellm-overhead-duration-ms")).toBeLessThan(num(h, "x-litellm-response-duration-ms") - 100);
    for (const [name, value] of h) if (name.startsWith("x-litellm-")) expect(value).not.toContain("sk-upstream-secret");
  });

  it("name the group and upstream that served a fallback, and come with a stream's first byte", async () => {
    fakeUpstream("https://dropin-a.test/v1", failing(503));
    fakeUpstream("https://dropin-b.test/v1", () =>
      chunked([sse([{ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }])]),
    );
    const k = await newKey();
    const res = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, stream: true, fallbacks: ["dropin-b"], num_retries: 0 }, k.key);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-litellm-model-group")).toBe("dropin-b");
    expect(res.headers.get("x-litellm-model-api-base")).toBe("https://dropin-b.test");
    expect(res.headers.get("x-litellm-response-duration-ms")).toMatch(/^\d+$/);
    expect(await res.text()).toContain('"hi"');
  });

  it("a failed call still carries its call id and model group", async () => {
    fakeUpstream("https://dropin-a.test/v1", failing(503));
    const k = await newKey();
    const res = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, num_retries: 0 }, k.key);
    expect(res.status).toBe(503);
    expect(res.headers.get("x-litellm-call-id")).toBe(res.headers.get("x-request-id"));
    expect(res.headers.get("x-litellm-model-group")).toBe("dropin-a");
  });

  it("x-litellm-key-remaining-{requests,tokens}-{model} when the key has per-model limits, and not otherwise", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("ok"));
    const k = await newKey({ model_rpm_limit: { "dropin-a": 5 }, model_tpm_limit: { "dropin-a": 10000 }, rpm_limit: 100, max_budget: 7.5 });
    const first = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs }, k.key);
    expect(first.headers.get("x-litellm-key-max-budget")).toBe("7.5");
    expect(first.headers.get("x-litellm-key-rpm-limit")).toBe("100");
    expect(first.headers.has("x-litellm-key-tpm-limit")).toBe(false);
    expect(first.headers.get("x-litellm-key-remaining-requests-dropin-a")).toBe("4");
    expect(first.headers.get("x-litellm-key-remaining-tokens-dropin-a")).toBe("10000");
    const second = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs }, k.key);
    expect(second.headers.get("x-litellm-key-remaining-requests-dropin-a")).toBe("3");
    const plain = await newKey();
    const res = await gw("/v1/chat/completions", { method: "POST", key: plain.key, body: JSON.stringify({ model: "dropin-a", messages: msgs }) });
    expect([...res.headers.keys()].filter((n) => n.startsWith("x-litellm-key-remaining") || n.startsWith("x-litellm-key-max") || n.endsWith("-limit"))).toEqual([]);
  });
});

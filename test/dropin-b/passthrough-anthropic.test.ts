import Anthropic from "@anthropic-ai/sdk";
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, env, eventually, gw, newKey } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { anthropicSse, fixtures, splitBytes } from "../providers/anthropic-helpers";

const UPSTREAM = "https://api.anthropic.test";
const KEY = "sk-ant-test-secret-0123456789abcdef";

/** Anthropic's SDK with the gateway's /anthropic as its base URL (its key goes in x-api-key). */
const sdk = (key: string) =>
  new Anthropic({ apiKey: key, baseURL: `${BASE}/anthropic`, maxRetries: 0, fetch: (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init)) });

const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

afterEach(resetUpstreams);

describe("/anthropic/*: Anthropic's API passed through behind a virtual key", () => {
  it("messages: the SDK's request reaches Anthropic with the deployment's key; its answer comes back as it was; spend is recorded", async () => {
    fakeUpstream(`${UPSTREAM}/v1/messages`, () => new Response(fixtures.recordedTool, { headers: { "content-type": "application/json" } }));
    const k = await newKey({ models: ["anthropic-sonnet"] });
    const { data, response } = await sdk(k.key)
      .messages.create({ model: "anthropic-sonnet", max_tokens: 64, messages: [{ role: "user", content: "Weather?" }] })
      .withResponse();
    expect(data).toEqual(JSON.parse(fixtures.recordedTool));
    expect(received[0]!.url).toBe(`${UPSTREAM}/v1/messages`);
    expect(received[0]!.headers["x-api-key"]).toBe(KEY);
    expect(received[0]!.json()).toEqual({ model: "claude-sonnet-4-5-20250929", max_tokens: 64, messages: [{ role: "user", content: "Weather?" }] });
    const row = await rowOf(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, deployment: "anth-sonnet", prompt_tokens: 1151, completion_tokens: 87, status: "success" });
    expect(Number(row.spend)).toBeGreaterThan(0);
    expect(JSON.parse(row.metadata as string).route).toBe("anthropic/messages");
  });

  it("streams byte for byte, priced from the stream's usage events", async () => {
    const sseText = anthropicSse(fixtures.recordedTextStream);
    fakeUpstream(`${UPSTREAM}/v1/messages`, () => chunked(splitBytes(sseText, 29)));
    const k = await newKey();
    const res = await gw("/anthropic/v1/messages", {
      method: "POST",
      key: null,
      headers: { "x-api-key": k.key },
      body: JSON.stringify({ model: "anthropic-sonnet", max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(sseText);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ prompt_tokens: 12, completion_tokens: 30 });
  });

  it("count_tokens goes to Anthropic's own endpoint", async () => {
    fakeUpstream(`${UPSTREAM}/v1/messages/count_tokens`, () => json({ input_tokens: 17 }));
    const k = await newKey();
    const counted = await sdk(k.key).messages.countTokens({ model: "anthropic-sonnet", messages: [{ role: "user", content: "Hi" }] });
    expect(counted.input_tokens).toBe(17);
    expect(received[0]!.headers["x-api-key"]).toBe(KEY);
  });

  it("refuses what it does not pass: other paths (404), models of other providers (400), models the key may not use (403), no key (401); in Anthropic's error shape", async () => {
    const k = await newKey({ models: ["gpt-4o-mini"] });
    const other = await gw("/anthropic/v1/models", { key: k.key });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const batches = await gw("/anthropic/v1/messages/batches", { method: "POST", key: k.key, body: "{}" });
    expect(batches.status).toBe(404);

    const all = await newKey();
    await expect(sdk(all.key).messages.create({ model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 400 });
    await expect(sdk(k.key).messages.create({ model: "anthropic-sonnet", max_tokens: 5, messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 403 });
    const none = await gw("/anthropic/v1/messages", { method: "POST", key: null, body: JSON.stringify({ model: "anthropic-sonnet", max_tokens: 5, messages: [] }) });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(received).toHaveLength(0);
  });
});

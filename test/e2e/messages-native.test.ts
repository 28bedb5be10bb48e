import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { anthropicSse, fixtures, splitBytes } from "../providers/anthropic-helpers";
import { anthropic, parseSse } from "./messages-helpers";

const UPSTREAM = "https://api.anthropic.test";
const KEY = "sk-ant-test-secret-0123456789abcdef";
const answer = (text: string, status = 200, headers: Record<string, string> = {}) => new Response(text, { status, headers: { "content-type": "application/json", ...headers } });

afterEach(resetUpstreams);

describe("POST /v1/messages to an anthropic/ deployment: passed through natively", () => {
  it("sends the client's request as it came (model and key replaced, betas passed on) and answers Anthropic's body", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedTool));
    const request = {
      model: "anthropic-sonnet",
      max_tokens: 1024,
      system: [{ type: "text" as const, text: "Be precise.", cache_control: { type: "ephemeral" as const } }],
      tools: [{ type: "web_search_20250305" as const, name: "web_search" as const, max_uses: 2 }],
      messages: [{ role: "user" as const, content: "Weather?" }],
    };
    const { data, response } = await anthropic(undefined, { "anthropic-beta": "fine-grained-tool-streaming-2025-05-14" }).messages.create(request).withResponse();
    expect(data.id).toBe("msg_0191iYfpERYfS27xLsdW2nbb");
    expect(data.content[0]).toMatchObject({ type: "tool_use", name: "json" });
    expect(data.usage).toMatchObject({ input_tokens: 1151, output_tokens: 87 });
    expect(response.headers.get("x-gateway-deployment")).toBe("anth-sonnet");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(received[0]!.url).toBe(`${UPSTREAM}/v1/messages`);
    expect(received[0]!.headers["x-api-key"]).toBe(KEY);
    // The client's own API version is passed on (its body is in that version's format).
    expect(received[0]!.headers["anthropic-version"]).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(received[0]!.headers["anthropic-beta"]).toBe("fine-grained-tool-streaming-2025-05-14");
    expect(received[0]!.headers.authorization).toBeUndefined();
    expect(received[0]!.json()).toEqual({ ...request, model: "claude-sonnet-4-5-20250929" });
  });

  it("passes the stream through byte for byte and prices it from its usage events", async () => {
    const k = await newKey();
    const sseText = anthropicSse(fixtures.recordedTextStream);
    fakeUpstream(UPSTREAM, () => chunked(splitBytes(sseText, 41)));
    const res = await post("/v1/messages", { model: "anthropic-sonnet", max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hi" }] }, k.key);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(sseText);
    const rows = await eventually(async () => {
      const r = await (await gw(`/spend/logs?api_key=${k.token}`)).json();
      return r.length ? r : undefined;
    });
    expect(received[0]!.headers["anthropic-version"]).toBe("2023-06-01"); // none from the client: the adapter's
    expect(rows[0]).toMatchObject({ deployment: "anth-sonnet", prompt_tokens: 12, completion_tokens: 30, status: "success", metadata: { route: "messages", stream: true } });

    fakeUpstream(UPSTREAM, () => chunked(splitBytes(sseText, 17)));
    const final = await anthropic()
      .messages.stream({ model: "anthropic-sonnet", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text" });
    expect(final.usage.output_tokens).toBe(30);
  });

  it("passes a mid-stream error event on, and ends a truncated stream with an Anthropic error event", async () => {
    fakeUpstream(UPSTREAM, () => chunked([anthropicSse(fixtures.streamError)]));
    const err = await anthropic()
      .messages.stream({ model: "anthropic-sonnet", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] })
      .finalMessage()
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(err.error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

    fakeUpstream(UPSTREAM, () => chunked([anthropicSse(fixtures.truncated)]));
    const res = await post("/v1/messages", { model: "anthropic-sonnet", max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hi" }] });
    const events = parseSse(await res.text());
    expect(events.at(-1)).toMatchObject({ event: "error", data: { type: "error", error: { type: "api_error" } } });
  });

  it("answers the upstream's errors in Anthropic's shape with their status", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.errorPromptTooLong, 400));
    const res = await post("/v1/messages", { model: "anthropic-sonnet", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("prompt is too long");
  });

  it("counts tokens with Anthropic's own endpoint", async () => {
    fakeUpstream(UPSTREAM, () => json({ input_tokens: 1234 }));
    const res = await anthropic().messages.countTokens({ model: "anthropic-sonnet", messages: [{ role: "user", content: "Hi" }] });
    expect(res.input_tokens).toBe(1234);
    expect(received[0]!.url).toBe(`${UPSTREAM}/v1/messages/count_tokens`);
    expect(received[0]!.json()).toEqual({ model: "claude-sonnet-4-5-20250929", messages: [{ role: "user", content: "Hi" }] });
    expect(received[0]!.headers["x-api-key"]).toBe(KEY);
  });
});

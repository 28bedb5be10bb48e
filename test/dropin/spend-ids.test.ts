import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, openai } from "../helpers/gateway";
import { chunked, fakeUpstream, resetUpstreams, sse } from "../helpers/upstream";
import { answer, msgs, rowsOf } from "./helpers";

afterEach(resetUpstreams);

const logs = async (query: string) => (await gw(`/spend/logs?${query}`)).json() as Promise<Array<Record<string, unknown>>>;

describe("spend rows keep the answer's own id", () => {
  it("/spend/logs?request_id= finds a row by the gateway's id or by the answer's, and only that row", async () => {
    let n = 0;
    fakeUpstream("https://dropin-a.test/v1", () => answer("ok", `chatcmpl-own-${++n}`));
    const k = await newKey();
    const first = await openai(k.key).chat.completions.create({ model: "dropin-a", messages: msgs }).withResponse();
    await openai(k.key).chat.completions.create({ model: "dropin-a", messages: msgs });
    expect(first.data.id).toBe("chatcmpl-own-1");
    const gatewayId = first.response.headers.get("x-request-id")!;
    await eventually(async () => (await rowsOf(k.token)).length === 2);
    const byGateway = await logs(`request_id=${gatewayId}`);
    expect(byGateway.map((r) => r.request_id)).toEqual([gatewayId]);
    expect(byGateway[0]!.response_id).toBe("chatcmpl-own-1");
    const byAnswer = await logs("request_id=chatcmpl-own-1");
    expect(byAnswer.map((r) => r.request_id)).toEqual([gatewayId]);
    expect(await logs("request_id=no-such-id")).toEqual([]);
  });

  it("a streamed answer's id is kept too", async () => {
    const chunk = (extra: Record<string, unknown>) => ({ id: "chatcmpl-streamed-7", object: "chat.completion.chunk", created: 1, model: "m", ...extra });
    fakeUpstream("https://dropin-a.test/v1", () =>
      chunked([sse([chunk({ choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }), chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })])]),
    );
    const k = await newKey();
    const stream = await openai(k.key).chat.completions.create({ model: "dropin-a", messages: msgs, stream: true });
    for await (const c of stream) expect(c.id).toBe("chatcmpl-streamed-7");
    const row = await eventually(async () => (await rowsOf(k.token))[0]);
    expect(row.response_id).toBe("chatcmpl-streamed-7");
    expect((await logs("request_id=chatcmpl-streamed-7")).map((r) => r.request_id)).toEqual([row.request_id]);
  });
});

describe("a bridged stream's row keeps the id its client saw", () => {
  it("/v1/messages streamed over an OpenAI-format upstream: the msg_ id, not the upstream's chatcmpl id", async () => {
    const chunk = (extra: Record<string, unknown>) => ({ id: "chatcmpl-upstream-9", object: "chat.completion.chunk", created: 1, model: "m", ...extra });
    fakeUpstream("https://dropin-a.test/v1", () =>
      chunked([sse([chunk({ choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }), chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })])]),
    );
    const k = await newKey();
    const res = await gw("/v1/messages", { method: "POST", key: k.key, body: JSON.stringify({ model: "dropin-a", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }) });
    const text = await res.text();
    const start = text.split("\n").find((l) => l.startsWith("data: ") && l.includes('"message_start"'))!;
    const id = (JSON.parse(start.slice(6)) as { message: { id: string } }).message.id;
    expect(id).toMatch(/^msg_/);
    const row = await eventually(async () => (await rowsOf(k.token))[0]);
    expect(row.response_id).toBe(id);
  });
});

describe("a natively passed stream's row keeps the upstream's own id", () => {
  it("/v1/messages streamed to Anthropic: the message_start id", async () => {
    const ev = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    fakeUpstream("https://api.anthropic.test", () =>
      chunked(
        [
          ev("message_start", {
            type: "message_start",
            message: { id: "msg_native_42", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } },
          }),
          ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
          ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } }),
          ev("content_block_stop", { type: "content_block_stop", index: 0 }),
          ev("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } }),
          ev("message_stop", { type: "message_stop" }),
        ],
        "text/event-stream",
      ),
    );
    const k = await newKey();
    const res = await gw("/v1/messages", {
      method: "POST",
      key: k.key,
      body: JSON.stringify({ model: "anthropic-sonnet", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(await res.text()).toContain("msg_native_42");
    const row = await eventually(async () => (await rowsOf(k.token))[0]);
    expect(row.response_id).toBe("msg_native_42");
  });
});

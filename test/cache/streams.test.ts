import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";
import { env, eventually, gw, MASTER, openaiWith, withEnv } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";

/** Issue 15: streamed chat calls are cached (a miss assembled and stored, a hit replayed as a stream). */
afterEach(() => resetUpstreams());

const UPSTREAM = "https://api.openai.test/v1";
const CFG = {
  model_list: [
    {
      model_name: "cached",
      litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
      model_info: { id: "cached-a" },
    },
  ],
  litellm_settings: { cache: true, cache_params: { type: "local" } },
};
const head = { id: "chatcmpl-s", object: "chat.completion.chunk", created: 7, model: "gpt-4o-mini" };
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
const question = (extra: Record<string, unknown> = {}) => ({ model: "cached", messages: [{ role: "user", content: `q-${crypto.randomUUID()}` }], ...extra });
const upstreamCalls = () => received.filter((r) => r.url.startsWith(UPSTREAM)).length;

function streamingUpstream(opts: { failAfter?: boolean; done?: boolean } = {}): void {
  fakeUpstream(UPSTREAM, () =>
    chunked(
      [
        sse([{ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] }], false),
        sse([{ ...head, choices: [{ index: 0, delta: { content: "lo" }, finish_reason: null }] }], false),
        sse(
          [
            { ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
            { ...head, choices: [], usage },
          ],
          opts.done ?? true,
        ),
      ],
      "text/event-stream",
      { failAfter: opts.failAfter },
    ),
  );
}

/** A call whose off-path work (the cache store) is awaited before the next one. */
async function send(body: unknown): Promise<{ status: number; headers: Headers; text: string }> {
  const ctx = createExecutionContext();
  const headers = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };
  const res = await buildApp().fetch(
    new Request("http://gw.test/v1/chat/completions", { method: "POST", body: JSON.stringify(body), headers }),
    { ...env, GATEWAY_CONFIG: CFG } as unknown as Env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, text };
}

describe("streamed chat calls and the cache", () => {
  it("a streamed miss is stored once complete; the official client's stream is then replayed from the cache", async () => {
    streamingUpstream();
    const q = question();
    const miss = await send({ ...q, stream: true });
    expect(miss.headers.get("x-cache")).toBe("MISS");
    expect(miss.text).toContain("[DONE]");
    const client = openaiWith({ GATEWAY_CONFIG: CFG });
    const { data: stream, response } = await client.chat.completions.create({ ...q, stream: true, stream_options: { include_usage: true } } as never).withResponse();
    expect(response.headers.get("x-cache")).toBe("HIT");
    let text = "";
    let finish: string | null = null;
    let seenUsage: unknown;
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: unknown }>) {
      for (const c of chunk.choices) {
        text += c.delta.content ?? "";
        finish = c.finish_reason ?? finish;
      }
      if (chunk.usage) seenUsage = chunk.usage;
    }
    expect(text).toBe("Hello");
    expect(finish).toBe("stop");
    expect(seenUsage).toEqual(usage);
    // The same question without stream: the assembled answer.
    const whole = await client.chat.completions.create(q as never);
    expect(whole.choices[0]!.message.content).toBe("Hello");
    expect(whole.id).toBe("chatcmpl-s");
    expect(upstreamCalls()).toBe(1);
  });

  it("a complete answer is replayed as a stream, usage only when asked for", async () => {
    fakeUpstream(UPSTREAM, () =>
      json({ id: "chatcmpl-w", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "whole answer" }, finish_reason: "length" }], usage }),
    );
    const q = question();
    expect((await send(q)).status).toBe(200);
    const hit = await send({ ...q, stream: true });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(hit.headers.get("content-type")).toContain("text/event-stream");
    const events = hit.text
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: unknown });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("whole answer");
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "length")).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    const withUsage = await send({ ...q, stream: true, stream_options: { include_usage: true } });
    expect(withUsage.text).toContain('"usage":{"prompt_tokens":10');
    expect(upstreamCalls()).toBe(1);
  });

  it("streamed tool calls are assembled whole", async () => {
    const tool = (d: Record<string, unknown>, finish: string | null = null) => sse([{ ...head, choices: [{ index: 0, delta: { tool_calls: [d] }, finish_reason: finish }] }], false);
    fakeUpstream(UPSTREAM, () =>
      chunked([
        tool({ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }),
        tool({ index: 0, function: { arguments: '{"city":' } }),
        tool({ index: 0, function: { arguments: '"Paris"}' } }),
        sse([{ ...head, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }]),
      ]),
    );
    const q = question();
    await send({ ...q, stream: true });
    const hit = await send(q);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const answer = JSON.parse(hit.text) as { choices: Array<{ message: { tool_calls: unknown }; finish_reason: string }> };
    expect(answer.choices[0]!.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("a stream that breaks off or never says [DONE] is not stored", async () => {
    streamingUpstream({ failAfter: true, done: false });
    const q = question();
    await send({ ...q, stream: true });
    streamingUpstream({ done: false });
    const q2 = question();
    await send({ ...q2, stream: true });
    streamingUpstream();
    expect((await send({ ...q, stream: true })).headers.get("x-cache")).toBe("MISS");
    expect((await send({ ...q2, stream: true })).headers.get("x-cache")).toBe("MISS");
    expect(upstreamCalls()).toBe(4);
  });

  it("a hit's spend row has spend 0, cache_hit, the cache key and saved_cost (what the answer cost)", async () => {
    streamingUpstream();
    const q = question();
    await send({ ...q, stream: true });
    const hit = await withEnv({ GATEWAY_CONFIG: CFG as unknown as string }, "/v1/chat/completions", { method: "POST", body: JSON.stringify(q) });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const id = hit.headers.get("x-request-id")!;
    const row = await eventually(async () => {
      const rows = (await (await gw("/spend/logs?api_key=master")).json()) as Array<{ request_id: string; spend: number; metadata: Record<string, unknown> }>;
      return rows.find((r) => r.request_id === id);
    });
    expect(row.spend).toBe(0);
    expect(row.metadata.cache_hit).toBe(true);
    expect(row.metadata.cache_key).toBe(hit.headers.get("x-litellm-cache-key"));
    // 10 prompt tokens at $1/M + 5 completion tokens at $2/M.
    expect(row.metadata.saved_cost).toBeCloseTo(0.00002, 12);
  });
});

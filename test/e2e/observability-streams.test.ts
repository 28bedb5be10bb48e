import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";
import { BASE, env, eventually, MASTER } from "../helpers/gateway";
import { at, attrs, fakeSinks, SINK_URLS, spansAt } from "../helpers/sinks";
import { chunked, fakeUpstream, resetUpstreams, sse } from "../helpers/upstream";
import thinkingStream from "../fixtures/anthropic/thinking.chunks.txt?raw";
import { anthropicSse } from "../providers/anthropic-helpers";

const config = (litellm: string) => `
model_list:
  - model_name: streamed
    litellm_params:
      model: openai/m-st
      api_base: https://st.test/v1
      api_key: k
    model_info:
      id: st
  - model_name: streamed-anthropic
    litellm_params:
      model: anthropic/claude-3-7-sonnet-20250219
      api_key: k
      api_base: https://anth-st.test
    model_info:
      id: anth-st
litellm_settings:
${litellm}
`;

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-stream-9",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [{ index: 0, delta, finish_reason: null }],
  ...extra,
});

/** An OpenAI-format stream of `parts` as content deltas, then usage. */
function streamOf(parts: string[]): () => Response {
  return () =>
    chunked([
      ...parts.map((p, i) => sse([chunk(i === 0 ? { role: "assistant", content: p } : { content: p })], false)),
      sse([{ ...chunk({}), choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } }]),
    ]);
}

/** A streamed call through the app, waited on until its spend event is sent. */
async function streamedCall(
  cfg: string,
  model = "streamed",
  path = "/v1/chat/completions",
  body: Record<string, unknown> = { messages: [{ role: "user", content: "tell me" }] },
): Promise<{ id: string; text: string }> {
  const ctx = createExecutionContext();
  const res = await buildApp().fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
      body: JSON.stringify({ model, stream: true, ...body }),
    }),
    { ...env, GATEWAY_CONFIG: cfg } as Env,
    ctx,
  );
  expect(res.status).toBe(200);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { id: res.headers.get("x-request-id")!, text };
}

interface Generation {
  type: string;
  body: { id: string; output?: unknown; metadata: { response_id: string | null } };
}
const generation = (id: string) =>
  eventually(async () =>
    at(SINK_URLS.langfuse)
      .flatMap((r) => r.json<{ batch: Generation[] }>().batch)
      .find((e) => e.type === "generation-create" && e.body.id === id),
  );

afterEach(resetUpstreams);

describe("streamed calls in traces", () => {
  it("with message logging on, a stream's answer text and response id reach OTel and Langfuse as a non-streamed call's do", async () => {
    fakeSinks();
    fakeUpstream("https://st.test/v1", streamOf(["Hel", 'lo "wor', 'ld"\n', "!"]));
    const { id } = await streamedCall(config("  callbacks: [otel, langfuse]\n  turn_off_message_logging: false"));
    const span = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
    expect(attrs(span)["gen_ai.response.id"]).toBe("chatcmpl-stream-9");
    expect(JSON.parse(attrs(span)["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", content: 'Hello "world"\n!' }]);
    const gen = await generation(id);
    expect(gen.body.output).toEqual([{ role: "assistant", content: 'Hello "world"\n!' }]);
    expect(gen.body.metadata.response_id).toBe("chatcmpl-stream-9");
  });

  it("a translated stream (Anthropic upstream) exports its text, not its reasoning, and the id the client's stream carried", async () => {
    fakeSinks();
    fakeUpstream("https://anth-st.test", () => new Response(anthropicSse(thinkingStream), { headers: { "content-type": "text/event-stream" } }));
    const { id, text } = await streamedCall(config("  callbacks: [otel]\n  turn_off_message_logging: false"), "streamed-anthropic");
    const clientId = (
      JSON.parse(
        text
          .split("\n")
          .find((l) => l.startsWith("data: {"))!
          .slice(6),
      ) as { id: string }
    ).id;
    const span = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
    expect(attrs(span)["gen_ai.response.id"]).toBe(clientId);
    expect(JSON.parse(attrs(span)["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", content: "27 × 453 = **12,231** — déjà vérifié ☃." }]);
  });

  it("natively passed streams (Anthropic /v1/messages, the Responses API) export their text and their own ids", async () => {
    fakeSinks();
    const logged = config("  callbacks: [otel]\n  turn_off_message_logging: false");
    const output = async (id: string) => {
      const span = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
      return { id: attrs(span)["gen_ai.response.id"], output: JSON.parse(attrs(span)["gen_ai.output.messages"] as string) };
    };
    fakeUpstream("https://anth-st.test", () => new Response(anthropicSse(thinkingStream), { headers: { "content-type": "text/event-stream" } }));
    const messages = await streamedCall(logged, "streamed-anthropic", "/v1/messages", { max_tokens: 200, messages: [{ role: "user", content: "27 × 453?" }] });
    expect(messages.text).toContain("event: message_start");
    expect(await output(messages.id)).toEqual({ id: "msg_01ThinkStream", output: [{ role: "assistant", content: "27 × 453 = **12,231** — déjà vérifié ☃." }] });

    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const done = { id: "resp_up_1", object: "response", status: "completed", output: [], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } };
    fakeUpstream("https://st.test/v1/responses", () =>
      chunked([
        ev("response.created", { response: { ...done, status: "in_progress", usage: null } }),
        ev("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: "Hi " }),
        ev("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: "there" }),
        ev("response.completed", { response: done }),
      ]),
    );
    const responses = await streamedCall(logged, "streamed", "/v1/responses", { input: "hello" });
    expect(await output(responses.id)).toEqual({ id: "resp_up_1", output: [{ role: "assistant", content: "Hi there" }] });
  });

  it("a long streamed answer is clipped to 8,000 characters and marked", async () => {
    fakeSinks();
    fakeUpstream("https://st.test/v1", streamOf(Array.from({ length: 10 }, () => "z".repeat(1000))));
    const { id } = await streamedCall(config("  callbacks: [langfuse]\n  turn_off_message_logging: false"));
    const gen = await generation(id);
    expect(gen.body.output).toEqual([{ role: "assistant", content: `${"z".repeat(8000)}...[truncated]` }]);
  });

  it("with message logging off, the stream's response id is exported and its text is not", async () => {
    fakeSinks();
    fakeUpstream("https://st.test/v1", streamOf(["private ", "answer"]));
    const { id } = await streamedCall(config("  callbacks: [otel, langfuse]"));
    const span = await eventually(async () => spansAt(SINK_URLS.otel).find((s) => attrs(s)["switchyard.request_id"] === id));
    expect(attrs(span)["gen_ai.response.id"]).toBe("chatcmpl-stream-9");
    expect(attrs(span)["gen_ai.output.messages"]).toBeUndefined();
    const gen = await generation(id);
    expect(gen.body.output).toBeUndefined();
    expect(JSON.stringify(at(SINK_URLS.langfuse).map((r) => r.body))).not.toContain("private answer");
  });
});

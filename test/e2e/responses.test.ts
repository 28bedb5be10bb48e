import type { ResponseFunctionToolCall } from "openai/resources/responses/responses";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";
import { chunk, completion, parseSse, usageChunk } from "./messages-helpers";

const OPENAI = "https://api.openai.test/v1";
const GROQ = "https://api.groq.com/openai/v1";
const weather = {
  type: "function" as const,
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

afterEach(resetUpstreams);

describe("POST /v1/responses bridged onto chat completions (a provider without a Responses API)", () => {
  it("answers text as a message output item, and the upstream got a chat request", async () => {
    fakeUpstream(GROQ, () => json(completion({ content: "Hello there" })));
    const { data, response } = await openai().responses.create({ model: "groq-llama", instructions: "Be brief.", input: "Hi", max_output_tokens: 50, temperature: 0.5 }).withResponse();
    expect(data).toMatchObject({
      object: "response",
      status: "completed",
      model: "groq-llama",
      output: [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello there", annotations: [] }] }],
      usage: { input_tokens: 21, output_tokens: 7, total_tokens: 28 },
    });
    expect(data.id).toMatch(/^resp_/);
    expect(data.output_text).toBe("Hello there");
    expect(response.headers.get("x-gateway-deployment")).toBe("groq-1");
    expect(received[0]!.url).toBe(`${GROQ}/chat/completions`);
    expect(received[0]!.json()).toEqual({
      model: "llama-3.1-8b-instant",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 50,
      temperature: 0.5,
    });
  });

  it("round-trips a function call: function_call out, function_call_output in", async () => {
    fakeUpstream(GROQ, () => json(completion({ tool_calls: [{ id: "call_7", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } }] }, "tool_calls")));
    const client = openai();
    const first = await client.responses.create({ model: "groq-llama", input: [{ role: "user", content: "Weather in Rome?" }], tools: [weather], tool_choice: "required" });
    expect(first.output).toEqual([{ id: expect.stringMatching(/^fc_/), type: "function_call", status: "completed", call_id: "call_7", name: "get_weather", arguments: '{"city":"Rome"}' }]);
    expect(received[0]!.json()).toMatchObject({
      tools: [{ type: "function", function: { name: "get_weather", description: "The weather in a city", parameters: weather.parameters, strict: false } }],
      tool_choice: "required",
    });

    fakeUpstream(GROQ, () => json(completion({ content: "Sunny in Rome." })));
    const call = first.output[0] as ResponseFunctionToolCall;
    const second = await client.responses.create({
      model: "groq-llama",
      tools: [weather],
      input: [{ role: "user", content: "Weather in Rome?" }, call, { type: "function_call_output", call_id: "call_7", output: "sunny" }],
    });
    expect(second.output_text).toBe("Sunny in Rome.");
    expect(received[1]!.json().messages).toEqual([
      { role: "user", content: "Weather in Rome?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_7", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } }] },
      { role: "tool", tool_call_id: "call_7", content: "sunny" },
    ]);
  });

  it("streams the Responses event sequence, text and a function call, and records the spend", async () => {
    const k = await newKey();
    fakeUpstream(GROQ, () =>
      chunked([
        sse([chunk({ role: "assistant", content: "Checking" }), chunk({ content: "..." })], false),
        sse([
          chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"ci' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }),
          chunk({}, "tool_calls"),
          usageChunk(40, 10),
        ]),
      ]),
    );
    const stream = openai(k.key).responses.stream({ model: "groq-llama", input: "Oslo?", tools: [weather] });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe("Checking...");
    expect(final.status).toBe("completed");
    expect(final.output.map((o) => o.type)).toEqual(["message", "function_call"]);
    expect(final.output[1]).toMatchObject({ call_id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' });
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 10 });
    const rows = await eventually(async () => {
      const r = await (await gw(`/spend/logs?api_key=${k.token}`)).json();
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ deployment: "groq-1", prompt_tokens: 40, completion_tokens: 10, status: "success", metadata: { route: "responses", stream: true } });
  });

  it("sends the events in order with increasing sequence numbers (raw SSE), incomplete when out of tokens", async () => {
    fakeUpstream(GROQ, () => chunked([sse([chunk({ content: "Hi" }, "length"), usageChunk(3, 1)])]));
    const res = await post("/v1/responses", { model: "groq-llama", input: "Hi", stream: true, max_output_tokens: 1 });
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.incomplete",
    ]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)!.data.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage: { input_tokens: 3, output_tokens: 1 } });
  });

  it("refuses what the bridge cannot serve, naming it, and passes upstream errors on", async () => {
    const hosted = await post("/v1/responses", { model: "groq-llama", input: "Hi", tools: [{ type: "web_search" }] });
    expect(hosted.status).toBe(400);
    expect((await hosted.json<any>()).error.param).toBe("tools[0].type");
    const prev = await post("/v1/responses", { model: "groq-llama", input: "Hi", previous_response_id: "resp_1" });
    expect((await prev.json<any>()).error.param).toBe("previous_response_id");
    expect(received).toHaveLength(0);
    fakeUpstream(GROQ, () => json({ error: { message: "bad things", type: "invalid_request_error" } }, 400));
    const err = await openai()
      .responses.create({ model: "groq-llama", input: "Hi" })
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ message: "bad things", type: "invalid_request_error" });
  });
});

describe("POST /v1/responses to an OpenAI deployment: passed through natively", () => {
  const upstreamResponse = {
    id: "resp_up1",
    object: "response",
    created_at: 1,
    status: "completed",
    model: "gpt-4o-mini-2024-07-18",
    output: [{ id: "msg_up1", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "native", annotations: [] }] }],
    usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
  };

  it("sends the request to {api_base}/responses and answers the upstream's body", async () => {
    fakeUpstream(OPENAI, () => json(upstreamResponse));
    const { data, response } = await openai()
      .responses.create({ model: "gpt-4o-mini", input: "Hi", tools: [{ type: "web_search" }], store: true })
      .withResponse();
    expect(data.id).toBe("resp_up1");
    expect(data.output_text).toBe("native");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(received[0]!.url).toBe(`${OPENAI}/responses`);
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(received[0]!.json()).toEqual({ model: "gpt-4o-mini", input: "Hi", tools: [{ type: "web_search" }], store: true });
  });

  it("passes the stream through and reads the usage from response.completed", async () => {
    const k = await newKey();
    const ev = (type: string, data: Record<string, unknown>, n: number) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n, ...data })}\n\n`;
    const item = upstreamResponse.output[0]!;
    const text =
      ev("response.created", { response: { ...upstreamResponse, status: "in_progress", output: [], usage: null } }, 0) +
      ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } }, 1) +
      ev("response.content_part.added", { item_id: item.id, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }, 2) +
      ev("response.output_text.delta", { item_id: item.id, output_index: 0, content_index: 0, delta: "native" }, 3) +
      ev("response.output_text.done", { item_id: item.id, output_index: 0, content_index: 0, text: "native" }, 4) +
      ev("response.content_part.done", { item_id: item.id, output_index: 0, content_index: 0, part: item.content[0] }, 5) +
      ev("response.output_item.done", { output_index: 0, item }, 6) +
      ev("response.completed", { response: upstreamResponse }, 7);
    fakeUpstream(OPENAI, () => chunked([text.slice(0, 100), text.slice(100)]));
    const final = await openai(k.key).responses.stream({ model: "gpt-4o-mini", input: "Hi" }).finalResponse();
    expect(final.output_text).toBe("native");
    const rows = await eventually(async () => {
      const r = await (await gw(`/spend/logs?api_key=${k.token}`)).json();
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ prompt_tokens: 10, completion_tokens: 2, status: "success", metadata: { route: "responses" } });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import embedJson from "../fixtures/cohere/embed.json?raw";
import errorFinish from "../fixtures/cohere/error-finish.chunks.txt?raw";
import error429 from "../fixtures/cohere/error-429.json?raw";
import error498 from "../fixtures/cohere/error-498.json?raw";
import textJson from "../fixtures/cohere/text.json?raw";
import toolJson from "../fixtures/cohere/tool-call.json?raw";
import textChunks from "../fixtures/recorded/cohere/text.chunks.txt?raw";
import toolChunks from "../fixtures/recorded/cohere/tool-call.chunks.txt?raw";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { cohereSse, splitBytes } from "./cohere-helpers";

const URL = "https://api.cohere.test/v2/chat";
const jsonBody = (text: string) => new Response(text, { headers: { "content-type": "application/json" } });
const sseBody = (lines: string, step: number) => chunked(splitBytes(cohereSse(lines), step));

const weather = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
};

afterEach(resetUpstreams);

describe("cohere through the worker, with the official openai client", () => {
  it("answers text with the billed usage and its price, and sends the v2 body to /v2/chat with the key", async () => {
    fakeUpstream(URL, () => jsonBody(textJson));
    const { data: res, response } = await openai()
      .chat.completions.create({
        model: "cohere-chat",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "What is an LLM?" },
        ],
        max_tokens: 50,
        top_p: 0.9,
        stop: ["END"],
        temperature: 0.2,
      })
      .withResponse();
    expect(res.choices[0]!.message.content).toBe("LLMs are language models trained on large text corpora.");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 });
    // command-a at $2.50 / $10 per million tokens.
    expect(Number(response.headers.get("x-gateway-cost"))).toBeCloseTo(17 * 2.5e-6 + 12 * 10e-6, 12);
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe(URL);
    expect(received[0]!.headers.authorization).toBe("Bearer cohere-test-key-0123456789");
    expect(received[0]!.headers["content-type"]).toBe("application/json");
    expect(received[0]!.json()).toEqual({
      model: "command-a-03-2025",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is an LLM?" },
      ],
      stream: false,
      max_tokens: 50,
      temperature: 0.2,
      p: 0.9,
      stop_sequences: ["END"],
    });
  });

  it("calls api.cohere.com when the deployment names no api_base", async () => {
    fakeUpstream("https://api.cohere.com/v2/chat", () => jsonBody(textJson));
    await openai().chat.completions.create({ model: "cohere-default-host", messages: [{ role: "user", content: "hi" }] });
    expect(received[0]!.url).toBe("https://api.cohere.com/v2/chat");
    expect(received[0]!.json()).toMatchObject({ model: "command-r7b-12-2024" });
  });

  it("answers a tool call (the tool plan as reasoning_content) and sends tools, tool_choice and tool results", async () => {
    fakeUpstream(URL, () => jsonBody(toolJson));
    const res = await openai().chat.completions.create({
      model: "cohere-chat",
      messages: [
        { role: "user", content: "Weather in Toronto?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
      tools: [weather],
      tool_choice: "required",
    });
    const msg = res.choices[0]!.message as (typeof res.choices)[0]["message"] & { reasoning_content?: string };
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(msg.content).toBeNull();
    expect(msg.tool_calls![0]).toMatchObject({ id: "get_weather_1byjy32y4hvq", type: "function", function: { name: "get_weather", arguments: '{"location":"Toronto"}' } });
    expect(msg.reasoning_content).toBe("I will look up the weather in Toronto.");
    expect(received[0]!.json()).toEqual({
      model: "command-a-03-2025",
      messages: [
        { role: "user", content: "Weather in Toronto?" },
        { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
      stream: false,
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: weather.function.parameters } }],
      tool_choice: "REQUIRED",
    });
  });

  it("streams the recorded text events, with the usage chunk when asked", async () => {
    fakeUpstream(URL, () => sseBody(textChunks, 13));
    const stream = await openai().chat.completions.create({ model: "cohere-chat", messages: [{ role: "user", content: "Capital of France?" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    let finish;
    const ids = new Set<string>();
    for await (const c of stream) {
      ids.add(c.id);
      text += c.choices[0]?.delta.content ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect(text).toBe("The capital of France is Paris.");
    expect(finish).toBe("stop");
    expect(ids.size).toBe(1);
    expect(usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    expect(received[0]!.json()).toMatchObject({ stream: true });
    expect(received[0]!.json()).not.toHaveProperty("stream_options");
  });

  it("streams the recorded two tool calls, each with its index, id, name and argument fragments", async () => {
    fakeUpstream(URL, () => sseBody(toolChunks, 7));
    const stream = await openai().chat.completions.create({ model: "cohere-chat", messages: [{ role: "user", content: "Weather and attractions in SF?" }], tools: [weather], stream: true });
    const calls: Record<number, { id?: string; name?: string; args: string }> = {};
    let finish;
    let usageSeen = false;
    for await (const c of stream) {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[t.index] ??= { args: "" });
        if (t.id) call.id = t.id;
        if (t.function?.name) call.name = t.function.name;
        call.args += t.function?.arguments ?? "";
      }
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usageSeen = true;
    }
    expect(finish).toBe("tool_calls");
    expect(usageSeen).toBe(false);
    expect(Object.keys(calls)).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: "weather_e8p4pn45zt0t", name: "weather" });
    expect(calls[1]).toMatchObject({ id: "cityAttractions_pyxssbwnq9fq", name: "cityAttractions" });
    expect(JSON.parse(calls[0]!.args)).toEqual({ location: "San Francisco" });
    expect(JSON.parse(calls[1]!.args)).toEqual({ city: "San Francisco" });
  });

  it("ends a stream cut before message-end, or failed with finish_reason ERROR, with an error event and no [DONE]", async () => {
    fakeUpstream(URL, () => chunked(splitBytes(cohereSse(textChunks, 5), 50)));
    const cut = await (await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }], stream: true })).text();
    expect(cut).not.toContain("[DONE]");
    expect(cut).toContain('"error"');
    fakeUpstream(URL, () => sseBody(errorFinish, 31));
    const failed = await (await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }], stream: true })).text();
    expect(failed).toContain("Once upon");
    expect(failed).toContain("internal server error, please try again");
    expect(failed).not.toContain("[DONE]");
  });

  it("embeds through v2/embed (input_type search_document unless the request names one), base64 when asked", async () => {
    fakeUpstream("https://api.cohere.test/v2/embed", () => jsonBody(embedJson));
    const res = await openai().embeddings.create({ model: "cohere-embed", input: ["hello", "goodbye"], encoding_format: "float", dimensions: 256 });
    expect(res.data).toHaveLength(2);
    expect(res.data[1]!.embedding).toEqual([0.025, 0.5, -0.25]);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(received[0]!.url).toBe("https://api.cohere.test/v2/embed");
    expect(received[0]!.headers.authorization).toBe("Bearer cohere-test-key-0123456789");
    expect(received[0]!.json()).toEqual({ model: "embed-v4.0", texts: ["hello", "goodbye"], input_type: "search_document", embedding_types: ["float"], output_dimension: 256 });
    const b64 = await post("/v1/embeddings", { model: "cohere-embed", input: ["hello", "goodbye"], encoding_format: "base64", input_type: "search_query" });
    const listed = await b64.json();
    expect(typeof listed.data[0].embedding).toBe("string");
    const floats = new Float32Array(Uint8Array.from(atob(listed.data[1].embedding), (ch) => ch.charCodeAt(0)).buffer);
    expect(Array.from(floats)).toEqual([0.025, 0.5, -0.25].map(Math.fround));
    expect(received[1]!.json()).toMatchObject({ input_type: "search_query" });
  });

  it("embeds more than 96 texts in calls of 96, joined in order", async () => {
    fakeUpstream("https://api.cohere.test/v2/embed", (_req, body) => {
      const texts = (JSON.parse(body) as { texts: string[] }).texts;
      return json({ id: "e", embeddings: { float: texts.map((t) => [Number(t)]) }, texts, meta: { billed_units: { input_tokens: texts.length } } });
    });
    const input = Array.from({ length: 200 }, (_, i) => String(i));
    const res = await openai().embeddings.create({ model: "cohere-embed", input, encoding_format: "float" });
    expect(received.map((r) => r.json<{ texts: string[] }>().texts.length)).toEqual([96, 96, 8]);
    expect(res.data.map((d) => d.embedding[0])).toEqual(input.map(Number));
    expect(res.data.map((d) => d.index)).toEqual(input.map((_, i) => i));
    expect(res.usage.prompt_tokens).toBe(200);
  });

  it("maps Cohere errors: 429 with retry-after, 498 as 401; refuses what it cannot send with a 400 naming the field", async () => {
    fakeUpstream(URL, () => json(JSON.parse(error429), 429, { "retry-after": "3" }));
    const limited = await openai()
      .chat.completions.create({ model: "cohere-chat", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect(limited.error).toMatchObject({ type: "rate_limit_exceeded", message: "You are using a Trial key, which is limited to 10 API calls / minute." });
    resetUpstreams();
    fakeUpstream(URL, () => json(JSON.parse(error498), 498));
    const denied = await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }] });
    expect(denied.status).toBe(401);
    expect((await denied.json()).error).toMatchObject({ type: "authentication_error", message: "invalid api token" });
    resetUpstreams(); // the 401 cooled the deployment down
    const audio = await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] }] });
    expect(audio.status).toBe(400);
    expect((await audio.json()).error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[0].type" });
    expect(received).toHaveLength(0);
  });

  it("passes images on as image_url parts", async () => {
    fakeUpstream(URL, () => jsonBody(textJson));
    await openai().chat.completions.create({
      model: "cohere-chat",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "https://img.test/cat.png" } },
          ],
        },
      ],
    });
    expect(received[0]!.json<{ messages: unknown[] }>().messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "https://img.test/cat.png" } },
      ],
    });
  });
});

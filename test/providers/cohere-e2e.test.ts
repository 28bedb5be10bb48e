import { afterEach, describe, expect, it } from "vitest";
import textChunks from "../fixtures/recorded/cohere/text.chunks.txt?raw";
import toolChunks from "../fixtures/recorded/cohere/tool-call.chunks.txt?raw";
import textJson from "../fixtures/cohere/text.json?raw";
import toolJson from "../fixtures/cohere/tool-call.json?raw";
import embedJson from "../fixtures/cohere/embed.json?raw";
import error429 from "../fixtures/cohere/error-429.json?raw";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

/** A recorded Cohere stream as Cohere sends it (`event:` + `data:`), cut every `step` bytes. */
function cohereSse(lines: string, step = 29, cut = Infinity): Response {
  const events = lines.trim().split("\n").slice(0, cut);
  const text = events.map((l) => `event: ${JSON.parse(l).type}\ndata: ${l}\n\n`).join("");
  const bytes = new TextEncoder().encode(text);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += step) parts.push(bytes.subarray(i, i + step));
  return chunked(parts);
}

const URL = "https://api.cohere.test/v2/chat";
afterEach(resetUpstreams);

describe("cohere", () => {
  it("answers text, with billed usage, and sends the v2 body", async () => {
    fakeUpstream(URL, () => new Response(textJson, { headers: { "content-type": "application/json" } }));
    const res = await openai().chat.completions.create({ model: "cohere-chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "What is an LLM?" }], max_tokens: 50, top_p: 0.9, stop: ["END"] });
    expect(res.choices[0]!.message.content).toBe("LLMs are language models trained on large text corpora.");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({ prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 });
    expect(received[0]!.headers.authorization).toBe("Bearer cohere-test-key-0123456789");
    expect(received[0]!.json()).toEqual({
      model: "command-a-03-2025",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "What is an LLM?" }],
      stream: false,
      max_tokens: 50,
      p: 0.9,
      stop_sequences: ["END"],
    });
  });

  it("answers a tool call (the tool plan as reasoning_content) and sends tools and tool results", async () => {
    fakeUpstream(URL, () => new Response(toolJson, { headers: { "content-type": "application/json" } }));
    const res = await openai().chat.completions.create({
      model: "cohere-chat",
      messages: [
        { role: "user", content: "Weather in Toronto?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }],
      tool_choice: "required",
    });
    const msg = res.choices[0]!.message as { tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; reasoning_content?: string };
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");
    expect(msg.tool_calls![0]).toMatchObject({ id: "get_weather_1byjy32y4hvq", function: { name: "get_weather", arguments: '{"location":"Toronto"}' } });
    expect(msg.reasoning_content).toBe("I will look up the weather in Toronto.");
    const sent = received[0]!.json<{ messages: unknown[]; tools: unknown[]; tool_choice: string }>();
    expect(sent.tool_choice).toBe("REQUIRED");
    expect(sent.messages[1]).toMatchObject({ role: "assistant", tool_calls: [{ id: "c1", function: { name: "get_weather" } }] });
    expect(sent.messages[2]).toEqual({ role: "tool", content: "sunny", tool_call_id: "c1" });
  });

  it("streams the recorded text events with usage", async () => {
    fakeUpstream(URL, () => cohereSse(textChunks, 13));
    const stream = await openai().chat.completions.create({ model: "cohere-chat", messages: [{ role: "user", content: "Capital of France?" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage;
    let finish;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect(text).toBe("The capital of France is Paris.");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 });
  });

  it("streams the recorded two tool calls, each with its index, id, name and argument fragments", async () => {
    fakeUpstream(URL, () => cohereSse(toolChunks, 7));
    const stream = await openai().chat.completions.create({ model: "cohere-chat", messages: [{ role: "user", content: "Weather and attractions in SF?" }], stream: true });
    const calls: Record<number, { id?: string; name?: string; args: string }> = {};
    let finish;
    for await (const c of stream) {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[t.index] ??= { args: "" });
        if (t.id) call.id = t.id;
        if (t.function?.name) call.name = t.function.name;
        call.args += t.function?.arguments ?? "";
      }
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(Object.keys(calls)).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: "weather_e8p4pn45zt0t", name: "weather" });
    expect(JSON.parse(calls[0]!.args)).toEqual({ location: "San Francisco" });
    expect(JSON.parse(calls[1]!.args)).toEqual({ city: "San Francisco" });
  });

  it("ends a stream cut before message-end with an error event and no [DONE]", async () => {
    fakeUpstream(URL, () => cohereSse(textChunks, 50, 5));
    const res = await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }], stream: true });
    const text = await res.text();
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"error"');
  });

  it("embeds through v2/embed, base64 when asked", async () => {
    fakeUpstream("https://api.cohere.test/v2/embed", () => new Response(embedJson, { headers: { "content-type": "application/json" } }));
    const res = await openai().embeddings.create({ model: "cohere-embed", input: ["hello", "goodbye"], encoding_format: "float" });
    expect(res.data).toHaveLength(2);
    expect(res.data[1]!.embedding).toEqual([0.025, 0.5, -0.25]);
    expect(res.usage.prompt_tokens).toBe(2);
    expect(received[0]!.json()).toEqual({ model: "embed-english-v3.0", texts: ["hello", "goodbye"], input_type: "search_document", embedding_types: ["float"] });
    const b64 = await post("/v1/embeddings", { model: "cohere-embed", input: ["hello", "goodbye"], encoding_format: "base64" });
    expect(typeof (await b64.json()).data[0].embedding).toBe("string");
  });

  it("maps Cohere errors: 429 with retry-after, 498 as 401, images refused with a 400", async () => {
    fakeUpstream(URL, () => json(JSON.parse(error429), 429, { "retry-after": "3" }));
    const limited = await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }], num_retries: 0 });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await limited.json()).error.message).toContain("Trial key");
    resetUpstreams();
    fakeUpstream(URL, () => json({ message: "invalid api token" }, 498));
    expect((await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: "x" }] })).status).toBe(401);
    resetUpstreams(); // the 401 cooled the deployment down
    const img = await post("/v1/chat/completions", { model: "cohere-chat", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] });
    expect(img.status).toBe(400);
    expect((await img.json()).error.param).toBe("messages[0].content[0].type");
  });
});

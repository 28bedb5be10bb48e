import { afterEach, describe, expect, it } from "vitest";
import { post } from "../helpers/gateway";
import { chunked, fakeUpstream, resetUpstreams, sse } from "../helpers/upstream";
import { fixtures as gemini, geminiSse, splitBytes } from "../providers/gemini-helpers";
import { chunk, parseSse, usageChunk } from "./messages-helpers";

// Issue 10: translated streams as typed parts. A translating adapter (Gemini here) writes the
// client's format itself (no OpenAI chunks re-parsed); an OpenAI-format upstream's chunks are read
// into the same parts by one reader, so the Anthropic and Responses writers cannot drift apart.

const GEMINI = "https://gemini.test";
const GROQ = "https://api.groq.com/openai/v1";

afterEach(resetUpstreams);

describe("stream writers per client format", () => {
  it("reads `delta.reasoning` (not only reasoning_content) for the Responses and Anthropic formats alike", async () => {
    const upstream = () => chunked([sse([chunk({ role: "assistant", reasoning: "Think first." }), chunk({ content: "Hi" }, "stop"), usageChunk(3, 2)])]);
    fakeUpstream(GROQ, upstream);
    const responses = parseSse(await (await post("/v1/responses", { model: "groq-llama", input: "Hi", stream: true })).text());
    expect(responses.filter((e) => e.event === "response.reasoning_text.delta").map((e) => e.data.delta)).toEqual(["Think first."]);
    expect(responses.at(-1)!.data.response).toMatchObject({ status: "completed", output: [{ type: "reasoning" }, { type: "message" }] });

    fakeUpstream(GROQ, upstream);
    const messages = parseSse(await (await post("/v1/messages", { model: "groq-llama", max_tokens: 50, messages: [{ role: "user", content: "Hi" }], stream: true })).text());
    const deltas = messages.filter((e) => e.event === "content_block_delta").map((e) => e.data.delta);
    expect(deltas).toEqual([
      { type: "thinking_delta", thinking: "Think first." },
      { type: "text_delta", text: "Hi" },
    ]);
  });

  it("a Gemini stream reaches a Responses client as Responses events, written directly", async () => {
    fakeUpstream(GEMINI, () => chunked(splitBytes(geminiSse(gemini.recordedTextStream), 29)));
    const res = await post("/v1/responses", { model: "gemini-flash", input: "How many r's?", stream: true });
    const text = await res.text();
    expect(text).not.toContain("chat.completion.chunk");
    const events = parseSse(text);
    expect(events.slice(0, 2).map((e) => e.event)).toEqual(["response.created", "response.in_progress"]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.at(-1)!;
    expect(done.event).toBe("response.completed");
    const streamed = events
      .filter((e) => e.event === "response.output_text.delta")
      .map((e) => e.data.delta)
      .join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect(done.data.response).toMatchObject({ status: "completed", output: [{ type: "message", content: [{ type: "output_text", text: streamed }] }] });
  });

  it("a Gemini stream cut mid-way ends in the client format's error event, after its opening", async () => {
    const parts = splitBytes(geminiSse(gemini.recordedTextStream), 29);
    fakeUpstream(GEMINI, () => chunked(parts.slice(0, 2), "text/event-stream", { failAfter: true }));
    const messages = parseSse(await (await post("/v1/messages", { model: "gemini-flash", max_tokens: 50, messages: [{ role: "user", content: "Hi" }], stream: true })).text());
    expect(messages[0]!.event).toBe("message_start");
    expect(messages.at(-1)).toMatchObject({ event: "error", data: { type: "error", error: { type: "api_error" } } });
    expect(messages.some((e) => e.event === "message_stop")).toBe(false);

    fakeUpstream(GEMINI, () => chunked(parts.slice(0, 2), "text/event-stream", { failAfter: true }));
    const responses = parseSse(await (await post("/v1/responses", { model: "gemini-flash", input: "Hi", stream: true })).text());
    expect(responses[0]!.event).toBe("response.created");
    expect(responses.at(-1)!.event).toBe("error");
    expect(responses.some((e) => e.event === "response.completed")).toBe(false);
  });
});

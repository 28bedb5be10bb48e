import { describe, expect, it } from "vitest";
import { accumulate, adapterCtx, chunksOf, fixtures, geminiSse, runStream, splitBytes } from "./gemini-helpers";

// Cut sizes: whole body, single bytes (every boundary, inside UTF-8 characters), and odd sizes.
const SPLITS = [100_000, 1, 3, 7, 64];

describe("gemini stream translation (recorded traffic)", () => {
  for (const size of SPLITS) {
    it(`text stream, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(geminiSse(fixtures.recordedTextStream), size), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
      expect(acc.finish).toBe("stop");
      const chunks = chunksOf(run);
      // One id for the whole stream, role on the first delta only, finish on the last content chunk, then usage, then [DONE].
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-req-1"]));
      expect(chunks[0]!.choices[0].delta.role).toBe("assistant");
      expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
      expect(chunks.every((c) => c.model === "gemini-3-pro-preview" && c.object === "chat.completion.chunk" && c.created === 1700000000)).toBe(true);
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe("stop");
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 208, total_tokens: 217, completion_tokens_details: { reasoning_tokens: 185 } } });
      expect(run.events.at(-1)).toBe("[DONE]");
      expect(run.usage).toEqual({ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217, reasoning_tokens: 185 });
      expect(run.outcome).toBe("complete");
    });
  }

  for (const size of [100_000, 1, 5]) {
    it(`tool-call stream (the call whole in one chunk, then an empty text part with STOP), cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(geminiSse(fixtures.recordedToolStream), size));
      const acc = accumulate(run);
      expect(acc.finish).toBe("tool_calls");
      expect(acc.tools).toHaveLength(1);
      expect(acc.tools[0]!.name).toBe("weather");
      expect(acc.tools[0]!.id).toMatch(/^call_[A-Za-z0-9]{24}__thought__EqUCCqICAb4/);
      expect(JSON.parse(acc.tools[0]!.arguments)).toEqual({ location: "San Francisco" });
      const toolChunks = chunksOf(run).filter((c) => c.choices[0]?.delta.tool_calls);
      expect(toolChunks).toHaveLength(1);
      expect(toolChunks[0]!.choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, type: "function", function: { name: "weather" } });
      // No usage chunk unless asked, but the sink still gets the usage for pricing.
      expect(chunksOf(run).every((c) => !c.usage)).toBe(true);
      expect(run.usage).toMatchObject({ prompt_tokens: 29, completion_tokens: 60, reasoning_tokens: 45 });
      expect(run.events.at(-1)).toBe("[DONE]");
    });
  }
});

describe("gemini stream translation (fixtures from the API reference)", () => {
  for (const size of [100_000, 1, 9]) {
    it(`thought parts as reasoning_content, non-ASCII text intact, cached tokens, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(geminiSse(fixtures.thinkingStream), size), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.reasoning).toBe('**Counting letters**\n\nI need to count the r\'s in "strawberry". s-t-r-a-w-b-e-r-r-y: three.');
      expect(acc.content).toBe("Il y a 3 « r » dans strawberry — 🍓.");
      expect(acc.finish).toBe("stop");
      expect(chunksOf(run).at(-1)!.usage).toEqual({
        prompt_tokens: 11,
        completion_tokens: 65,
        total_tokens: 76,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 51 },
      });
      expect(chunksOf(run)[0]!.model).toBe("gemini-2.5-flash");
    });
  }

  it("a stream that ends without a finishReason ends in an error event and no [DONE]", async () => {
    const run = await runStream(splitBytes(geminiSse(fixtures.truncated), 13));
    expect(accumulate(run).content).toBe("The first half of an answer that is cut off mid");
    expect(run.events).not.toContain("[DONE]");
    expect(run.events.at(-1)).toMatchObject({ error: { type: "upstream_error", message: expect.stringContaining("finishReason") } });
    expect(run.outcome).toBe("error");
    expect(run.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 11 });
  });

  it("an error object mid-stream ends the stream with that error (503) and no [DONE]", async () => {
    const run = await runStream(splitBytes(geminiSse(fixtures.streamError), 6));
    expect(accumulate(run).content).toBe("Partial answ");
    expect(run.events).not.toContain("[DONE]");
    expect(run.events.at(-1)).toMatchObject({ error: { type: "service_unavailable", message: "The model is overloaded. Please try again later." } });
    expect(run.outcome).toBe("error");
  });

  it("a blocked prompt in the first chunk ends in a content_policy_violation error event", async () => {
    const blocked = JSON.stringify(JSON.parse(fixtures.blockedPrompt));
    const run = await runStream(splitBytes(geminiSse(blocked), 10));
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ error: { code: "content_policy_violation" } });
  });

  it("an event that is not JSON is an upstream_error", async () => {
    const run = await runStream(splitBytes("data: {not json\r\n\r\n", 4));
    expect(run.events.at(-1)).toMatchObject({ error: { type: "upstream_error" } });
  });

  it("a SAFETY finish mid-answer is finish_reason content_filter; a MAX_TOKENS finish is length", async () => {
    const chunk = (text: string, finishReason?: string) =>
      JSON.stringify({
        candidates: [{ content: { parts: [{ text }], role: "model" }, ...(finishReason ? { finishReason } : {}), index: 0 }],
        usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
      });
    for (const [reason, expected] of [
      ["SAFETY", "content_filter"],
      ["MAX_TOKENS", "length"],
      ["RECITATION", "content_filter"],
    ] as const) {
      const run = await runStream(splitBytes(geminiSse(`${chunk("Some")}\n${chunk(" text", reason)}`), 17));
      expect(accumulate(run)).toMatchObject({ content: "Some text", finish: expected });
      expect(run.events.at(-1)).toBe("[DONE]");
    }
  });
});

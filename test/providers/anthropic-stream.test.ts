import { describe, expect, it } from "vitest";
import { accumulate, adapterCtx, anthropicDep, anthropicSse, chunksOf, fixtures, runStream, splitBytes } from "./anthropic-helpers";

// Cut sizes: whole body, single bytes (every boundary, inside UTF-8 characters), and odd sizes.
const SPLITS = [100_000, 1, 3, 7, 64];

describe("anthropic stream translation (recorded traffic)", () => {
  for (const size of SPLITS) {
    it(`text stream, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(anthropicSse(fixtures.recordedTextStream), size), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.content).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
      expect(acc.finish).toBe("stop");
      const chunks = chunksOf(run);
      // One id for the whole stream, role on the first delta only, finish on the last content chunk, then usage, then [DONE].
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-req-1"]));
      expect(chunks[0]!.choices[0].delta.role).toBe("assistant");
      expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
      expect(chunks.every((c) => c.model === "claude-sonnet-4-5-20250929" && c.object === "chat.completion.chunk" && c.created === 1700000000)).toBe(true);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, prompt_tokens_details: { cached_tokens: 0 } } });
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe("stop");
      expect(run.events.at(-1)).toBe("[DONE]");
      expect(run.usage).toEqual({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42, cached_tokens: 0, cache_creation_tokens: 0 });
      expect(run.outcome).toBe("complete");
    });
  }

  for (const size of [100_000, 1, 5]) {
    it(`tool-use stream, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(anthropicSse(fixtures.recordedToolStream), size));
      const acc = accumulate(run);
      expect(acc.finish).toBe("tool_calls");
      expect(acc.tools).toHaveLength(1);
      expect(acc.tools[0]).toMatchObject({ id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json" });
      expect(JSON.parse(acc.tools[0]!.arguments)).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
      // The first tool chunk carries index, id, type and name; later ones only argument fragments.
      const toolChunks = chunksOf(run).filter((c) => c.choices[0]?.delta.tool_calls);
      expect(toolChunks[0]!.choices[0].delta.tool_calls[0]).toMatchObject({ index: 0, id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", type: "function", function: { name: "json", arguments: "" } });
      expect(toolChunks.slice(1).every((c) => c.choices[0].delta.tool_calls[0].id === undefined)).toBe(true);
      // No usage chunk unless asked, but the sink still gets the usage for pricing.
      expect(chunksOf(run).every((c) => !c.usage)).toBe(true);
      expect(run.usage).toMatchObject({ prompt_tokens: 849, completion_tokens: 47 });
      expect(run.events.at(-1)).toBe("[DONE]");
    });
  }

  it("ignores a repeated message_start: one role chunk, usage counted once", async () => {
    const run = await runStream(splitBytes(anthropicSse(fixtures.recordedDuplicate), 11), adapterCtx({ includeUsage: true }));
    const chunks = chunksOf(run);
    expect(chunks.filter((c) => c.choices[0]?.delta.role === "assistant")).toHaveLength(1);
    expect(accumulate(run).content).toBe("Hello, World!");
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 17, completion_tokens: 227, total_tokens: 244 });
    expect(chunks[0]!.model).toBe("claude-3-haiku-20240307");
    expect(run.events.at(-1)).toBe("[DONE]");
  });
});

describe("anthropic stream translation (fixtures from the API reference)", () => {
  for (const size of [100_000, 1, 9]) {
    it(`thinking stream as reasoning_content, non-ASCII text intact, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(anthropicSse(fixtures.thinkingStream), size), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.reasoning).toBe("Let me work out 27 × 453 step by step.\n\n27 × 453 = 12 231");
      expect(acc.content).toBe("27 × 453 = **12,231** — déjà vérifié ☃.");
      expect(acc.finish).toBe("stop");
      expect(chunksOf(run).at(-1)!.usage).toMatchObject({ prompt_tokens: 36, completion_tokens: 158, total_tokens: 194 });
    });
  }

  it("text then two tool calls; a tool with no arguments gets '{}'; cache reads count in the prompt", async () => {
    const run = await runStream(splitBytes(anthropicSse(fixtures.parallelTools), 13), adapterCtx({ includeUsage: true }));
    const acc = accumulate(run);
    expect(acc.content).toBe("I'll check both.");
    expect(acc.tools).toEqual([
      { id: "toolu_01Weather", name: "get_weather", arguments: '{"city": "Paris"}' },
      { id: "toolu_01Time", name: "get_time", arguments: "{}" },
    ]);
    expect(acc.finish).toBe("tool_calls");
    expect(chunksOf(run).at(-1)!.usage).toEqual({ prompt_tokens: 1042, completion_tokens: 71, total_tokens: 1113, prompt_tokens_details: { cached_tokens: 512 } });
    expect(run.usage).toMatchObject({ cached_tokens: 512, cache_creation_tokens: 0 });
  });

  it("the forced JSON tool streams as content with finish_reason stop", async () => {
    const run = await runStream(splitBytes(anthropicSse(fixtures.jsonToolStream), 6), adapterCtx(), anthropicDep("claude-3-5-sonnet-20241022"));
    const acc = accumulate(run);
    expect(acc.tools).toEqual([]);
    expect(JSON.parse(acc.content)).toEqual({ name: "Ada", age: 36 });
    expect(acc.finish).toBe("stop");
  });

  for (const size of [100_000, 4]) {
    it(`an error event mid-stream ends in an OpenAI error event (503) and no [DONE], cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(anthropicSse(fixtures.streamError), size));
      expect(accumulate(run).content).toBe("Partial answ");
      expect(run.text).not.toContain("[DONE]");
      expect(run.events.at(-1)).toEqual({ error: { message: "Overloaded", type: "service_unavailable", param: null, code: "overloaded" } });
      expect(run.outcome).toBe("error");
      expect(run.usage).toMatchObject({ prompt_tokens: 12 });
    });
  }

  it("a stream that stops before message_stop ends in an error event, not [DONE]", async () => {
    const run = await runStream(splitBytes(anthropicSse(fixtures.truncated), 17));
    expect(accumulate(run).content).toBe("Cut off mid");
    expect(run.text).not.toContain("[DONE]");
    expect(run.events.at(-1)).toMatchObject({ error: { type: "upstream_error", code: "upstream_error" } });
    expect(run.outcome).toBe("error");
  });

  it("a stream that sends nothing at all ends in an error event", async () => {
    const run = await runStream([]);
    expect(run.events).toHaveLength(1);
    expect(run.events[0]).toMatchObject({ error: { type: "upstream_error" } });
  });

  it("a data line that is not JSON ends in an error event", async () => {
    const sse = anthropicSse(fixtures.recordedTextStream).replace('"text":"Hello"', '"text":"Hello"garbage');
    const run = await runStream(splitBytes(sse, 50));
    expect(run.text).not.toContain("[DONE]");
    expect(run.events.at(-1)).toMatchObject({ error: { type: "upstream_error" } });
  });

  it("accepts CRLF line endings and events without an `event:` line", async () => {
    const sse = fixtures.recordedTextStream
      .split("\n")
      .filter(Boolean)
      .map((l) => `data: ${l}\r\n\r\n`)
      .join("");
    const run = await runStream(splitBytes(sse, 5));
    expect(accumulate(run).content).toContain("Is there anything I can help you with?");
    expect(run.events.at(-1)).toBe("[DONE]");
  });
});

import { describe, expect, it } from "vitest";
import recordedText from "../fixtures/recorded/cohere/text.chunks.txt?raw";
import recordedTool from "../fixtures/recorded/cohere/tool-call.chunks.txt?raw";
import errorFinish from "../fixtures/cohere/error-finish.chunks.txt?raw";
import noArgsTool from "../fixtures/cohere/no-args-tool.chunks.txt?raw";
import thinking from "../fixtures/cohere/thinking.chunks.txt?raw";
import { accumulate, chunksOf, cohereSse, ctxOf, runStream, splitBytes } from "./cohere-helpers";

// Cut sizes: whole body, single bytes (every boundary, inside UTF-8 characters), odd sizes.
const SPLITS = [100_000, 1, 3, 7, 29];

describe("cohere stream translation (recorded traffic)", () => {
  for (const size of SPLITS) {
    it(`text stream, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(cohereSse(recordedText), size), ctxOf({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.content).toBe("The capital of France is Paris.");
      expect(acc.finish).toBe("stop");
      const chunks = chunksOf(run);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-req-1"]));
      expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "command-a-03-2025" && c.created === 1700000000)).toBe(true);
      expect(chunks[0]!.choices[0].delta).toEqual({ role: "assistant", content: "" });
      expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
      expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
      // Billed usage; the 448 cached tokens count Cohere's unbilled template and do not fit in 12.
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } });
      expect(chunks.at(-1)!.usage.prompt_tokens_details).toBeUndefined();
      expect(run.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
      expect(run.events.at(-1)).toBe("[DONE]");
      expect(run.outcome).toBe("complete");
    });
  }

  for (const size of [100_000, 1, 5, 64]) {
    it(`two tool calls with a tool plan, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(cohereSse(recordedTool), size));
      const acc = accumulate(run);
      expect(acc.finish).toBe("tool_calls");
      expect(acc.reasoning).toBe("I will use the weather tool to find the weather in San Francisco and the cityAttractions tool to find attractions in San Francisco.");
      expect(acc.content).toBe("");
      expect(acc.tools).toHaveLength(2);
      expect(acc.tools[0]).toMatchObject({ id: "weather_e8p4pn45zt0t", name: "weather" });
      expect(acc.tools[1]).toMatchObject({ id: "cityAttractions_pyxssbwnq9fq", name: "cityAttractions" });
      expect(JSON.parse(acc.tools[0]!.arguments)).toEqual({ location: "San Francisco" });
      expect(JSON.parse(acc.tools[1]!.arguments)).toEqual({ city: "San Francisco" });
      // The first chunk of a call has index, id, type and name; later ones only argument fragments.
      const calls = chunksOf(run).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(calls.filter((t: any) => t.id)).toEqual([
        { index: 0, id: "weather_e8p4pn45zt0t", type: "function", function: { name: "weather", arguments: "" } },
        { index: 1, id: "cityAttractions_pyxssbwnq9fq", type: "function", function: { name: "cityAttractions", arguments: "" } },
      ]);
      // No usage chunk unless asked; the sink still gets the billed usage for pricing.
      expect(chunksOf(run).every((c) => !c.usage)).toBe(true);
      expect(run.usage).toEqual({ prompt_tokens: 119, completion_tokens: 44, total_tokens: 163 });
      expect(run.events.at(-1)).toBe("[DONE]");
    });
  }
});

describe("cohere stream translation (fixtures from the API reference)", () => {
  for (const size of [100_000, 1, 11]) {
    it(`a reasoning model's thinking as reasoning_content, non-ASCII intact, cut every ${size} bytes`, async () => {
      const run = await runStream(splitBytes(cohereSse(thinking), size), ctxOf({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.reasoning).toBe("The user wants 17 × 23. 17 × 20 = 340, 17 × 3 = 51, so 391.");
      expect(acc.content).toBe("17 × 23 = 391 — déjà vérifié.");
      expect(acc.finish).toBe("stop");
      expect(chunksOf(run).at(-1)!.usage).toEqual({ prompt_tokens: 14, completion_tokens: 48, total_tokens: 62, prompt_tokens_details: { cached_tokens: 0 } });
    });
  }

  it("a tool call that streamed no arguments gets '{}'", async () => {
    const run = await runStream(splitBytes(cohereSse(noArgsTool), 13));
    const acc = accumulate(run);
    expect(acc.tools).toEqual([{ id: "currentTime_4t2k9q1m8x0z", name: "currentTime", arguments: "{}" }]);
    expect(acc.finish).toBe("tool_calls");
    expect(acc.reasoning).toBe("I will check the current time.");
  });

  it("finish_reason ERROR ends in an error event with Cohere's message, no finish and no [DONE]", async () => {
    const run = await runStream(splitBytes(cohereSse(errorFinish), 17), ctxOf({ includeUsage: true }));
    expect(accumulate(run).content).toBe("Once upon");
    expect(accumulate(run).finish).toBeNull();
    const last = run.events.at(-1) as Record<string, any>;
    expect(last.error).toMatchObject({ code: "upstream_error" });
    expect(last.error.message).toContain("internal server error, please try again");
    expect(run.events).not.toContain("[DONE]");
    expect(run.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 2 });
    expect(run.outcome).toBe("error");
  });

  it("a stream cut before message-end ends in an error event, keeping what was sent", async () => {
    const run = await runStream(splitBytes(cohereSse(recordedText, 6), 9));
    expect(accumulate(run).content).toBe("The capital of France");
    expect((run.events.at(-1) as Record<string, any>).error.message).toContain("message-end");
    expect(run.events).not.toContain("[DONE]");
    expect(run.outcome).toBe("error");
  });

  it("CRLF framing and unknown events (debug, citations) are read as Cohere may send them", async () => {
    const extra = '{"type":"citation-start","index":0,"delta":{"message":{"citations":{"start":0,"end":3,"text":"The","sources":[]}}}}\n{"type":"debug","prompt":"..."}\n';
    const sse = cohereSse(extra + recordedText).replaceAll("\n", "\r\n");
    const run = await runStream(splitBytes(sse, 5));
    expect(accumulate(run).content).toBe("The capital of France is Paris.");
    expect(run.events.at(-1)).toBe("[DONE]");
  });
});

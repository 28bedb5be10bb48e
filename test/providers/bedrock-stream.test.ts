import { describe, expect, it } from "vitest";
import {
  accumulate,
  adapterCtx,
  bedrockDep,
  chunksOf,
  concat,
  errorOf,
  eventFrame,
  exceptionFrame,
  encodeFrame,
  fixtures,
  framesOf,
  fromBase64,
  runStream,
  splitEvery,
  splitRandom,
  streamBytes,
} from "./bedrock-helpers";

const CUTS: Array<[string, (b: Uint8Array) => Uint8Array[]]> = [
  ["whole", (b) => [b]],
  ["every byte", (b) => splitEvery(b, 1)],
  ["every 7 bytes", (b) => splitEvery(b, 7)],
  ["at random offsets (seed 3)", (b) => splitRandom(b, 3)],
  ["at random offsets (seed 99, up to 200)", (b) => splitRandom(b, 99, 200)],
];

describe("bedrock stream translation (recorded traffic, encoded into real eventstream frames)", () => {
  for (const [name, cut] of CUTS) {
    it(`text stream (metadata after messageStop), cut ${name}`, async () => {
      const run = await runStream(cut(streamBytes(fixtures.recordedTextStream)), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.content).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
      expect(acc.finish).toBe("stop");
      const chunks = chunksOf(run);
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-req-1"]));
      expect(chunks[0]!.choices[0].delta).toEqual({ role: "assistant", content: "" });
      expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
      expect(chunks.every((c) => c.model === "anthropic.claude-3-5-sonnet-20240620-v1:0" && c.object === "chat.completion.chunk" && c.created === 1700000000)).toBe(true);
      // finish on the last content chunk, then the usage chunk (metadata came after messageStop), then [DONE].
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe("stop");
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 22, completion_tokens: 55, total_tokens: 77 } });
      expect(run.events.at(-1)).toBe("[DONE]");
      expect(run.usage).toEqual({ prompt_tokens: 22, completion_tokens: 55, total_tokens: 77 });
      expect(run.outcome).toBe("complete");
    });
  }

  for (const [name, cut] of CUTS) {
    it(`tool-call stream (no messageStart, metadata before messageStop), cut ${name}`, async () => {
      const run = await runStream(cut(streamBytes(fixtures.recordedToolStream)), adapterCtx({ includeUsage: true }));
      const acc = accumulate(run);
      expect(acc.finish).toBe("tool_calls");
      expect(acc.content).toBe("");
      expect(acc.tools).toEqual([{ id: "tool-use-id", name: "test-tool", arguments: '{"value":"Sparkle Day"}' }]);
      const toolChunks = chunksOf(run).filter((c) => c.choices[0]?.delta.tool_calls);
      expect(toolChunks[0]!.choices[0].delta).toEqual({
        role: "assistant",
        tool_calls: [{ index: 0, id: "tool-use-id", type: "function", function: { name: "test-tool", arguments: "" } }],
      });
      expect(toolChunks.slice(1).every((c) => c.choices[0].delta.tool_calls[0].id === undefined)).toBe(true);
      expect(chunksOf(run).at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 125, completion_tokens: 45, total_tokens: 170 } });
      expect(run.events.at(-1)).toBe("[DONE]");
    });
  }

  it("sends no usage chunk unless asked, but reports the usage for pricing", async () => {
    const run = await runStream(splitEvery(streamBytes(fixtures.recordedTextStream), 13));
    expect(chunksOf(run).every((c) => !c.usage)).toBe(true);
    expect(run.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 55 });
    expect(run.events.at(-1)).toBe("[DONE]");
  });
});

describe("bedrock stream translation (fixtures from the API reference)", () => {
  it("reasoning text as reasoning_content, then the text (multi-byte characters cut apart)", async () => {
    const run = await runStream(splitEvery(streamBytes(fixtures.reasoningStream), 1), adapterCtx({ includeUsage: true }));
    const acc = accumulate(run);
    expect(acc.reasoning).toBe("17 * 20 = 340, 17 * 3 = 51 — so 391.");
    expect(acc.content).toBe("17 × 23 = 391 ✓");
    expect(acc.finish).toBe("stop");
    expect(chunksOf(run).at(-1)!.usage).toEqual({ prompt_tokens: 40, completion_tokens: 95, total_tokens: 135 });
  });

  it("text then two tool calls, with cache-read usage before messageStop", async () => {
    const run = await runStream(splitRandom(streamBytes(fixtures.parallelTools), 5), adapterCtx({ includeUsage: true }));
    const acc = accumulate(run);
    expect(acc.content).toBe("Checking both cities.");
    expect(acc.tools).toEqual([
      { id: "tooluse_Paris01", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "tooluse_Tokyo02", name: "get_weather", arguments: '{"city":"Tokyo"}' },
    ]);
    expect(acc.finish).toBe("tool_calls");
    expect(chunksOf(run).at(-1)!.usage).toEqual({ prompt_tokens: 1030, completion_tokens: 60, total_tokens: 1090, prompt_tokens_details: { cached_tokens: 1000 } });
    expect(run.usage).toMatchObject({ cached_tokens: 1000, cache_creation_tokens: 0 });
  });

  it("a tool called with no input streams '{}' as its arguments", async () => {
    const run = await runStream([streamBytes(fixtures.toolNoArgs)]);
    expect(accumulate(run).tools).toEqual([{ id: "tooluse_NoArgs01", name: "get_time", arguments: "{}" }]);
    expect(accumulate(run).finish).toBe("tool_calls");
  });

  it("the forced json tool (response_format) streams as content, finish 'stop'", async () => {
    const run = await runStream(splitEvery(streamBytes(fixtures.jsonToolStream), 3));
    const acc = accumulate(run);
    expect(acc.tools).toEqual([]);
    expect(JSON.parse(acc.content)).toEqual({ city: "Paris", population: 2102650 });
    expect(acc.finish).toBe("stop");
  });

  it("an empty answer still opens with the role and closes with finish and [DONE]", async () => {
    const run = await runStream([concat([eventFrame("messageStart", { role: "assistant" }), eventFrame("messageStop", { stopReason: "max_tokens" })])]);
    expect(chunksOf(run).map((c) => c.choices[0].delta)).toEqual([{ role: "assistant", content: "" }, {}]);
    expect(accumulate(run).finish).toBe("length");
    expect(run.events.at(-1)).toBe("[DONE]");
  });

  it("maps guardrail_intervened to content_filter", async () => {
    const run = await runStream([
      concat([
        eventFrame("messageStart", { role: "assistant" }),
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Sorry." } }),
        eventFrame("messageStop", { stopReason: "guardrail_intervened" }),
      ]),
    ]);
    expect(accumulate(run).finish).toBe("content_filter");
  });

  it("skips event types it does not know", async () => {
    const frames = framesOf(fixtures.recordedTextStream);
    frames.splice(2, 0, eventFrame("somethingNew", { x: 1 }));
    const run = await runStream([concat(frames)]);
    expect(accumulate(run).content).toContain("strawberry");
    expect(run.events.at(-1)).toBe("[DONE]");
  });
});

describe("bedrock stream failures end in one error event and no [DONE]", () => {
  it("the recorded modelStreamErrorException frame after some text", async () => {
    const frames = framesOf(fixtures.recordedTextStream).slice(0, 4);
    const run = await runStream(splitEvery(concat([...frames, fromBase64(fixtures.recordedException)]), 9));
    expect(accumulate(run).content).toBe('Let me count the "r"s in "');
    const error = errorOf(run);
    expect(error).toMatchObject({ type: "api_error" });
    expect(error.message).toContain("Model Stream Error");
    expect(error.message).toContain("The model stream failed.");
    expect(run.events.at(-1)).not.toBe("[DONE]");
    expect(run.events.filter((e) => e !== "[DONE]" && "error" in e)).toHaveLength(1);
    expect(run.outcome).toBe("error");
  });

  for (const [type, status, errType] of [
    ["throttlingException", 429, "rate_limit_exceeded"],
    ["validationException", 400, "invalid_request_error"],
    ["serviceUnavailableException", 503, "service_unavailable"],
    ["internalServerException", 500, "api_error"],
  ] as const) {
    it(`an ${type} frame is an error of type ${errType} (status ${status})`, async () => {
      const frames = [eventFrame("messageStart", { role: "assistant" }), exceptionFrame(type, { message: `${type} happened` })];
      const run = await runStream(splitEvery(concat(frames), 7));
      const error = errorOf(run);
      expect(error.type).toBe(errType);
      expect(error.message).toContain(`${type} happened`);
      if (status === 429) expect(error.code).toBe("rate_limit_exceeded");
      expect(run.events.at(-1)).not.toBe("[DONE]");
    });
  }

  it("a validationException about input length carries context_length_exceeded", async () => {
    const run = await runStream([exceptionFrame("validationException", { message: "Input is too long for requested model." })]);
    expect(errorOf(run)).toMatchObject({ code: "context_length_exceeded", type: "invalid_request_error" });
  });

  it("a protocol error frame (:message-type error)", async () => {
    const frame = encodeFrame(
      [
        [":message-type", "error"],
        [":error-code", "InternalFailure"],
        [":error-message", "The stream broke."],
      ],
      "",
    );
    const run = await runStream([eventFrame("messageStart", { role: "assistant" }), frame]);
    expect(errorOf(run).message).toContain("The stream broke.");
  });

  it("a stream that ends without messageStop", async () => {
    const run = await runStream(splitEvery(streamBytes(fixtures.truncated), 5));
    expect(accumulate(run).content).toBe("The answer is");
    expect(errorOf(run)).toMatchObject({ type: "upstream_error", code: "upstream_error" });
    expect(errorOf(run).message).toMatch(/no messageStop/);
    expect(run.events.at(-1)).not.toBe("[DONE]");
    expect(run.outcome).toBe("error");
  });

  it("a stream cut off inside a frame", async () => {
    const bytes = streamBytes(fixtures.recordedTextStream);
    const run = await runStream(splitEvery(bytes.slice(0, bytes.length - 30), 11));
    expect(errorOf(run).message).toMatch(/ended inside an eventstream frame/);
    expect(run.events.at(-1)).not.toBe("[DONE]");
  });

  it("a frame with a bad CRC", async () => {
    const frames = framesOf(fixtures.recordedTextStream);
    frames[3]![frames[3]!.length - 12]! ^= 0x20;
    const run = await runStream(splitEvery(concat(frames), 7));
    expect(accumulate(run).content).toBe('Let me count the "'); // what came before the corrupt frame
    expect(errorOf(run)).toMatchObject({ type: "upstream_error" });
    expect(errorOf(run).message).toMatch(/corrupt/);
    expect(run.events.at(-1)).not.toBe("[DONE]");
  });

  it("bytes that are not an eventstream at all (a JSON body)", async () => {
    const run = await runStream([new TextEncoder().encode('{"message":"oops"}')]);
    expect(errorOf(run).message).toMatch(/impossible prelude/);
  });

  it("an exception names no secret", async () => {
    const dep = bedrockDep(undefined, { aws_secret_access_key: "secret-that-must-not-leak-0123" });
    const run = await runStream([exceptionFrame("validationException", { message: "bad key secret-that-must-not-leak-0123" })], adapterCtx(), dep);
    expect(errorOf(run).message).not.toContain("secret-that-must-not-leak");
    expect(errorOf(run).message).toContain("[redacted]");
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { adapterCtx, body, refusal, user } from "./bedrock-helpers";

const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const weather = {
  type: "function",
  function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const SONNET_37 = "anthropic.claude-3-7-sonnet-20250219-v1:0";
const OPUS_46 = "global.anthropic.claude-opus-4-6-v1";

afterEach(resetUpstreams);

describe("bedrock Converse body", () => {
  it("lifts system and developer messages, maps inference settings", async () => {
    expect(
      await body({
        messages: [{ role: "system", content: "Be terse." }, { role: "developer", content: [{ type: "text", text: "Answer in French." }] }, user("Hi")],
        max_completion_tokens: 200,
        max_tokens: 999,
        temperature: 0.2,
        top_p: 0.9,
        stop: ["###", ""],
        user: "end-user-1",
      }),
    ).toEqual({
      system: [{ text: "Be terse." }, { text: "Answer in French." }],
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      inferenceConfig: { maxTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ["###"] },
    });
  });

  it("sends no inferenceConfig when nothing is set, and a single stop string as a list", async () => {
    expect(await body({ messages: [user("Hi")] })).toEqual({ messages: [{ role: "user", content: [{ text: "Hi" }] }] });
    expect((await body({ messages: [user("Hi")], stop: "END" })).inferenceConfig).toEqual({ stopSequences: ["END"] });
  });

  it("images from data: URLs as bytes with their format; https URLs fetched by the gateway", async () => {
    fakeUpstream("https://images.example.com/", () => new Response(Uint8Array.from([1, 2, 3]), { headers: { "content-type": "image/webp" } }));
    const b = await body({
      messages: [
        user([
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } },
          { type: "image_url", image_url: { url: "https://images.example.com/cat.webp" } },
          { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } },
        ]),
      ],
    });
    expect(b.messages[0].content).toEqual([
      { text: "What is this?" },
      { image: { format: "png", source: { bytes: PNG_B64 } } },
      { image: { format: "webp", source: { bytes: "AQID" } } },
      { image: { format: "jpeg", source: { bytes: "/9j/4AAQ" } } },
    ]);
  });

  it("refuses an image type Converse does not take, and a private image host, naming the part", async () => {
    const svg = await refusal({ messages: [user([{ type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2Zz4=" } }])] });
    expect(svg.status).toBe(400);
    expect(svg.param).toBe("messages[0].content[0].image_url.url");
    expect(svg.message).toMatch(/png, jpeg, gif or webp/);
    const local = await refusal({ messages: [user([{ type: "image_url", image_url: { url: "https://127.0.0.1/x.png" } }])] });
    expect(local.param).toBe("messages[0].content[0].image_url.url");
  });

  it("a PDF file part as a document block with a name Converse accepts", async () => {
    const b = await body({
      messages: [
        user([
          { type: "file", file: { filename: "Q3 report (final).pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
          { type: "text", text: "Summarise" },
        ]),
      ],
    });
    expect(b.messages[0].content[0]).toEqual({ document: { format: "pdf", name: "Q3 report (final)", source: { bytes: "JVBERi0=" } } });
  });

  it("tool calls as toolUse, tool messages as toolResult in one user turn, turns merged to alternate", async () => {
    const b = await body({
      messages: [
        user("Weather in Paris and Tokyo?"),
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "call.2", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "call.2", content: [{ type: "text", text: "25C" }] },
        user("Thanks"),
      ],
      tools: [weather],
    });
    expect(b.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Paris and Tokyo?" }] },
      {
        role: "assistant",
        content: [{ text: "Checking." }, { toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } } }, { toolUse: { toolUseId: "call_2", name: "get_weather", input: {} } }],
      },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "call_1", content: [{ text: "18C" }] } }, { toolResult: { toolUseId: "call_2", content: [{ text: "25C" }] } }, { text: "Thanks" }],
      },
    ]);
    expect(b.toolConfig).toEqual({ tools: [{ toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: weather.function.parameters } } }] });
  });

  it("maps tool_choice: auto, required -> any, a named function -> tool", async () => {
    const base = { messages: [user("x")], tools: [weather] };
    expect((await body({ ...base, tool_choice: "auto" })).toolConfig.toolChoice).toEqual({ auto: {} });
    expect((await body({ ...base, tool_choice: "required" })).toolConfig.toolChoice).toEqual({ any: {} });
    expect((await body({ ...base, tool_choice: { type: "function", function: { name: "get_weather" } } })).toolConfig.toolChoice).toEqual({ tool: { name: "get_weather" } });
    expect((await refusal({ ...base, tool_choice: { type: "function", function: { name: "nope" } } })).param).toBe("tool_choice.function.name");
    expect((await refusal({ messages: [user("x")], tool_choice: "required" })).param).toBe("tool_choice");
  });

  it("tool_choice none sends no tools, and keeps earlier tool calls and results as text", async () => {
    const b = await body({
      messages: [
        user("Weather?"),
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
      ],
      tools: [weather],
      tool_choice: "none",
    });
    expect(b.toolConfig).toBeUndefined();
    expect(b.messages).toEqual([
      { role: "user", content: [{ text: "Weather?" }] },
      { role: "assistant", content: [{ text: '[called tool get_weather (id call_1) with {"city":"Paris"}]' }] },
      { role: "user", content: [{ text: "[result of tool call call_1: 18C]" }] },
    ]);
  });

  it("cache_control marks become cachePoint blocks (system, parts, messages)", async () => {
    const b = await body({
      messages: [
        { role: "system", content: [{ type: "text", text: "Long instructions", cache_control: { type: "ephemeral" } }] },
        user([
          { type: "text", text: "Long document", cache_control: { type: "ephemeral" } },
          { type: "text", text: "Question" },
        ]),
      ],
    });
    expect(b.system).toEqual([{ text: "Long instructions" }, { cachePoint: { type: "default" } }]);
    expect(b.messages[0].content).toEqual([{ text: "Long document" }, { cachePoint: { type: "default" } }, { text: "Question" }]);
  });

  it("replays thinking_blocks of an earlier answer as reasoningContent", async () => {
    const b = await body({
      messages: [
        user("Q"),
        {
          role: "assistant",
          content: "A",
          thinking_blocks: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "redacted_thinking", data: "cmVk" },
          ],
        },
        user("Q2"),
      ],
    });
    expect(b.messages[1].content).toEqual([{ reasoningContent: { reasoningText: { text: "hmm", signature: "sig" } } }, { reasoningContent: { redactedContent: "cmVk" } }, { text: "A" }]);
  });

  it("refuses what it cannot convert, naming the field", async () => {
    expect((await refusal({ messages: [user("")] })).param).toBe("messages[0].content");
    expect((await refusal({ messages: [{ role: "system", content: "only system" }] })).param).toBe("messages");
    expect((await refusal({ messages: [user([{ type: "input_audio", input_audio: { data: "x", format: "wav" } }])] })).param).toBe("messages[0].content[0].type");
    expect((await refusal({ messages: [user("x"), { role: "tool", content: "r" }] })).param).toBe("messages[1].tool_call_id");
    const args = await refusal({ messages: [user("x"), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{not json" } }] }] });
    expect(args.param).toBe("messages[1].tool_calls[0].function.arguments");
    expect((await refusal({ messages: [user("x")], tools: [{ type: "function", function: { name: "json_tool_call" } }] })).param).toBe("tools[0].function.name");
  });
});

describe("bedrock unsupported parameters", () => {
  for (const [param, value] of [
    ["n", 2],
    ["logprobs", true],
    ["seed", 7],
    ["presence_penalty", 0.5],
    ["frequency_penalty", 0.5],
    ["logit_bias", { "1": 2 }],
    ["top_logprobs", 2],
  ] as const) {
    it(`refuses ${param} with a 400 naming it, unless drop_params`, async () => {
      const err = await refusal({ messages: [user("x")], [param]: value });
      expect(err.status).toBe(400);
      expect(err.param).toBe(param);
      expect(err.message).toMatch(/drop_params/);
      await expect(body({ messages: [user("x")], [param]: value }, undefined, adapterCtx({ dropParams: true }))).resolves.toBeDefined();
    });
  }

  it("accepts n: 1 and text-only modalities", async () => {
    await expect(body({ messages: [user("x")], n: 1, modalities: ["text"] })).resolves.toBeDefined();
    expect((await refusal({ messages: [user("x")], modalities: ["text", "audio"] })).param).toBe("modalities");
  });

  it("refuses parallel_tool_calls: false (Converse cannot promise it) unless drop_params", async () => {
    expect((await refusal({ messages: [user("x")], tools: [weather], parallel_tool_calls: false })).param).toBe("parallel_tool_calls");
    await expect(body({ messages: [user("x")], tools: [weather], parallel_tool_calls: false }, undefined, adapterCtx({ dropParams: true }))).resolves.toBeDefined();
  });
});

describe("bedrock response_format", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };

  it("json_schema through outputConfig.textFormat on models with structured outputs", async () => {
    const b = await body({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "place", schema } } }, SONNET_45);
    expect(b.outputConfig).toEqual({ textFormat: { type: "json_schema", structure: { jsonSchema: { name: "place", schema: JSON.stringify(schema) } } } });
    expect(b.toolConfig).toBeUndefined();
  });

  it("json_schema as a forced json_tool_call tool on other models; json_object with an open schema", async () => {
    const b = await body({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "place", schema } } }, "anthropic.claude-3-5-sonnet-20240620-v1:0");
    expect(b.outputConfig).toBeUndefined();
    expect(b.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "json_tool_call", description: "Respond with a JSON object that matches this input schema.", inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: "json_tool_call" } },
    });
    const o = await body({ messages: [user("x")], response_format: { type: "json_object" } }, "amazon.nova-pro-v1:0");
    expect(o.toolConfig.tools[0].toolSpec.inputSchema).toEqual({ json: { type: "object" } });
  });

  it("refuses the forced tool with other tools or with reasoning, and a json_schema without a schema", async () => {
    const rf = { type: "json_object" };
    expect((await refusal({ messages: [user("x")], tools: [weather], response_format: rf })).param).toBe("response_format");
    expect((await refusal({ messages: [user("x")], reasoning_effort: "low", response_format: rf }, SONNET_37)).param).toBe("response_format");
    expect((await refusal({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "x" } } })).param).toBe("response_format.json_schema.schema");
  });
});

describe("bedrock reasoning_effort", () => {
  it("Claude 3.7-4.5: a thinking budget in additionalModelRequestFields, room for the answer in maxTokens", async () => {
    const b = await body({ messages: [user("x")], reasoning_effort: "medium" }, SONNET_37);
    expect(b.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(b.inferenceConfig.maxTokens).toBe(2048 + 4096);
    const capped = await body({ messages: [user("x")], reasoning_effort: "high", max_tokens: 3000 }, SONNET_45);
    expect(capped.additionalModelRequestFields.thinking).toEqual({ type: "enabled", budget_tokens: 2999 });
    expect(capped.inferenceConfig.maxTokens).toBe(3000);
    expect((await refusal({ messages: [user("x")], reasoning_effort: "low", max_tokens: 1000 }, SONNET_37)).param).toBe("max_tokens");
  });

  it("Claude 4.6 on: adaptive thinking with an effort", async () => {
    const b = await body({ messages: [user("x")], reasoning_effort: "high" }, OPUS_46);
    expect(b.additionalModelRequestFields).toEqual({ thinking: { type: "adaptive" }, output_config: { effort: "high" } });
  });

  it("Nova 2 and OpenAI's models take their own fields; others refuse it unless drop_params; 'none' is nothing", async () => {
    expect((await body({ messages: [user("x")], reasoning_effort: "minimal" }, "us.amazon.nova-2-lite-v1:0")).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "low" },
    });
    expect((await body({ messages: [user("x")], reasoning_effort: "high" }, "openai.gpt-oss-120b-1:0")).additionalModelRequestFields).toEqual({ reasoning_effort: "high" });
    expect((await refusal({ messages: [user("x")], reasoning_effort: "low" }, "meta.llama3-1-70b-instruct-v1:0")).param).toBe("reasoning_effort");
    expect((await refusal({ messages: [user("x")], reasoning_effort: "low" }, "anthropic.claude-3-5-sonnet-20240620-v1:0")).param).toBe("reasoning_effort");
    expect((await body({ messages: [user("x")], reasoning_effort: "low" }, "meta.llama3-1-70b-instruct-v1:0", adapterCtx({ dropParams: true }))).additionalModelRequestFields).toBeUndefined();
    expect((await body({ messages: [user("x")], reasoning_effort: "none" }, SONNET_37)).additionalModelRequestFields).toBeUndefined();
  });

  it("Anthropic's own thinking object is passed as given", async () => {
    const b = await body({ messages: [user("x")], thinking: { type: "enabled", budget_tokens: 3000 } }, SONNET_37);
    expect(b.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 3000 } });
    expect(b.inferenceConfig.maxTokens).toBe(7096);
  });
});

import { describe, expect, it } from "vitest";
import { body, ctxOf, refusal, user } from "./cohere-helpers";

const weather = { type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };
const time = { type: "function", function: { name: "current_time", parameters: { type: "object", properties: {} } } };

describe("cohere v2 chat body", () => {
  it("maps the sampling params to Cohere's names, holding top_p within Cohere's range", () => {
    const b = body({ messages: [user("hi")], max_completion_tokens: 100, max_tokens: 5, temperature: 0.4, top_p: 1, stop: "END", seed: 7, frequency_penalty: 0.5, presence_penalty: 0, user: "u-1" });
    expect(b).toEqual({
      model: "command-a-03-2025",
      messages: [{ role: "user", content: "hi" }],
      stream: false,
      max_tokens: 100,
      temperature: 0.4,
      p: 0.99,
      stop_sequences: ["END"],
      seed: 7,
      frequency_penalty: 0.5,
      presence_penalty: 0,
    });
    expect(body({ messages: [user("hi")], top_p: 0 }).p).toBe(0.01);
    expect(body({ messages: [user("hi")], stream: true }).stream).toBe(true);
  });

  it("maps every role: developer as system, text and image parts, tool calls with their plan, tool results", () => {
    const b = body({
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "system", content: [{ type: "text", text: "Use metric units." }] },
        user([
          { type: "text", text: "What is in this picture, and the weather?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
        ]),
        {
          role: "assistant",
          content: "Let me check.",
          tool_calls: [
            { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "c2", type: "function", function: { name: "current_time", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "18C" },
        { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "12:00" }] },
        { role: "assistant", content: "It is 18C at noon." },
      ],
    });
    expect(b.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "system", content: [{ type: "text", text: "Use metric units." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture, and the weather?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
        ],
      },
      {
        role: "assistant",
        tool_plan: "Let me check.",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "c2", type: "function", function: { name: "current_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "18C" },
      { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "12:00" }] },
      { role: "assistant", content: "It is 18C at noon." },
    ]);
  });

  it("refuses what Cohere cannot take, naming the field", () => {
    expect(refusal({ messages: [user([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }])] })).toMatchObject({ status: 400, param: "messages[0].content[0].type" });
    expect(refusal({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }] }] })).toMatchObject({ param: "messages[0].content[0].type" });
    expect(refusal({ messages: [user("x"), { role: "tool", content: "r" }] })).toMatchObject({ param: "messages[1].tool_call_id" });
    expect(refusal({ messages: [{ role: "function", name: "f", content: "r" }] })).toMatchObject({ param: "messages[0].role" });
    for (const param of ["logprobs", "logit_bias"]) {
      const req = { messages: [user("x")], [param]: param === "logprobs" ? true : { "50256": -100 } };
      expect(refusal(req)).toMatchObject({ status: 400, param });
      expect(body(req, ctxOf({ dropParams: true }))[param]).toBeUndefined();
    }
    expect(refusal({ messages: [user("x")], n: 2 })).toMatchObject({ param: "n" });
    expect(body({ messages: [user("x")], n: 1 }).n).toBeUndefined();
  });

  it("takes penalties within [0, 1] only, and drops them with drop_params", () => {
    expect(refusal({ messages: [user("x")], frequency_penalty: -0.5 })).toMatchObject({ param: "frequency_penalty" });
    expect(refusal({ messages: [user("x")], presence_penalty: 1.5 }).message).toContain("between 0 and 1");
    expect(body({ messages: [user("x")], presence_penalty: 1.5 }, ctxOf({ dropParams: true })).presence_penalty).toBeUndefined();
  });

  it("sends tools in the same function shape, with tool_choice mapped", () => {
    const auto = body({ messages: [user("x")], tools: [weather, time] });
    expect(auto.tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather in a city", parameters: weather.function.parameters } },
      { type: "function", function: { name: "current_time", parameters: { type: "object", properties: {} } } },
    ]);
    expect(auto.tool_choice).toBeUndefined();
    expect(auto.strict_tools).toBeUndefined();
    expect(body({ messages: [user("x")], tools: [weather], tool_choice: "required" }).tool_choice).toBe("REQUIRED");
    const none = body({ messages: [user("x")], tools: [weather], tool_choice: "none" });
    expect(none).toMatchObject({ tool_choice: "NONE", tools: [{ function: { name: "get_weather" } }] });
    const named = body({ messages: [user("x")], tools: [weather, time], tool_choice: { type: "function", function: { name: "current_time" } } });
    expect(named.tool_choice).toBe("REQUIRED");
    expect(named.tools.map((t: any) => t.function.name)).toEqual(["current_time"]);
    const strict = body({ messages: [user("x")], tools: [{ type: "function", function: { ...weather.function, strict: true } }] });
    expect(strict.strict_tools).toBe(true);
    expect(strict.tools[0].function.strict).toBeUndefined();
  });

  it("refuses a tool_choice it cannot honour", () => {
    expect(refusal({ messages: [user("x")], tools: [weather], tool_choice: { type: "function", function: { name: "nope" } } })).toMatchObject({ param: "tool_choice.function.name" });
    expect(refusal({ messages: [user("x")], tool_choice: "required" })).toMatchObject({ param: "tool_choice" });
    expect(refusal({ messages: [user("x")], tools: [weather], parallel_tool_calls: false })).toMatchObject({ param: "parallel_tool_calls" });
    expect(body({ messages: [user("x")], tools: [weather], parallel_tool_calls: true }).parallel_tool_calls).toBeUndefined();
    expect(body({ messages: [user("x")], tools: [weather], parallel_tool_calls: false }, ctxOf({ dropParams: true })).tools).toHaveLength(1);
  });

  it("maps response_format and reasoning_effort", () => {
    expect(body({ messages: [user("x")], response_format: { type: "json_object" } }).response_format).toEqual({ type: "json_object" });
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
    expect(body({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "A", schema, strict: true } } }).response_format).toEqual({
      type: "json_object",
      json_schema: schema,
    });
    expect(body({ messages: [user("x")], response_format: { type: "text" } }).response_format).toBeUndefined();
    expect(body({ messages: [user("x")], reasoning_effort: "none" }).thinking).toEqual({ type: "disabled" });
    expect(body({ messages: [user("x")], reasoning_effort: "high" }).thinking).toEqual({ type: "enabled", token_budget: 4096 });
  });
});

import { describe, expect, it } from "vitest";
import { claudeVersion, thinkingMode } from "../../src/providers/anthropic/models";
import { structuredSchema } from "../../src/providers/anthropic/schema";
import { adapterCtx, body, refusal, user } from "./anthropic-helpers";

describe("anthropic request: parameters", () => {
  it("always sends max_tokens: max_completion_tokens, then max_tokens, then a model-aware default", () => {
    expect(body({ messages: [user("q")], max_tokens: 100, max_completion_tokens: 200 }).max_tokens).toBe(200);
    expect(body({ messages: [user("q")], max_tokens: 100 }).max_tokens).toBe(100);
    expect(body({ messages: [user("q")] }).max_tokens).toBe(8192);
    expect(body({ messages: [user("q")] }, "claude-3-haiku-20240307").max_tokens).toBe(4096);
  });

  it("maps stop, temperature, top_p, top_k and user", () => {
    const b = body({ messages: [user("q")], stop: "END", temperature: 0.2, top_p: 0.9, top_k: 40, user: "user-42" });
    expect(b).toMatchObject({ stop_sequences: ["END"], temperature: 0.2, top_p: 0.9, top_k: 40, metadata: { user_id: "user-42" } });
    expect(body({ messages: [user("q")], stop: ["a", "b"] }).stop_sequences).toEqual(["a", "b"]);
  });

  it("refuses what Anthropic cannot honour unless drop_params", () => {
    for (const [param, value] of [
      ["n", 2],
      ["logprobs", true],
      ["top_logprobs", 2],
      ["seed", 1],
      ["presence_penalty", 0.5],
      ["frequency_penalty", 0.5],
      ["logit_bias", { "1": 1 }],
      ["modalities", ["text", "audio"]],
    ] as const) {
      const e = refusal({ messages: [user("q")], [param]: value });
      expect(e.status, param).toBe(400);
      expect(e.param).toBe(param);
      expect(e.message).toContain("drop_params");
    }
    expect(body({ messages: [user("q")], n: 1, modalities: ["text"] }).n).toBeUndefined();
    const dropped = body({ messages: [user("q")], n: 3, seed: 7, logprobs: true }, undefined, adapterCtx({ dropParams: true }));
    expect(dropped).not.toHaveProperty("n");
    expect(dropped).not.toHaveProperty("seed");
  });

  it("refuses a temperature above Anthropic's range of 0-1", () => {
    expect(refusal({ messages: [user("q")], temperature: 1.5 }).param).toBe("temperature");
  });

  it("maps tools and tool_choice (auto/none/required/function) and parallel_tool_calls", () => {
    const tools = [
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } },
      { type: "function", function: { name: "now" } },
    ];
    const b = body({ messages: [user("q")], tools });
    expect(b.tools).toEqual([
      { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } }, strict: true },
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
    expect(b).not.toHaveProperty("tool_choice");
    expect(body({ messages: [user("q")], tools, tool_choice: "auto" }).tool_choice).toEqual({ type: "auto" });
    expect(body({ messages: [user("q")], tools, tool_choice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(body({ messages: [user("q")], tools, tool_choice: "required" }).tool_choice).toEqual({ type: "any" });
    expect(body({ messages: [user("q")], tools, tool_choice: { type: "function", function: { name: "now" } } }).tool_choice).toEqual({ type: "tool", name: "now" });
    expect(body({ messages: [user("q")], tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body({ messages: [user("q")], tools, tool_choice: "required", parallel_tool_calls: false }).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(body({ messages: [user("q")], tools, parallel_tool_calls: true })).not.toHaveProperty("tool_choice");
    // strict is only sent to models with strict tool use.
    expect(body({ messages: [user("q")], tools }, "claude-3-5-sonnet-20241022").tools[0]).not.toHaveProperty("strict");
  });

  it("refuses a tool_choice naming an unknown function or asking for tools when there are none", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(refusal({ messages: [user("q")], tools, tool_choice: { type: "function", function: { name: "g" } } }).param).toBe("tool_choice.function.name");
    expect(refusal({ messages: [user("q")], tool_choice: "required" }).param).toBe("tool_choice");
  });
});

describe("anthropic request: response_format", () => {
  const schema = {
    type: "object",
    properties: { name: { type: "string", maxLength: 20 }, tags: { type: "array", items: { type: "object", properties: { t: { type: "string" } } } } },
    required: ["name"],
  };

  it("uses structured outputs (output_config.format) on Claude 4.5 and newer, with the schema made fit", () => {
    const b = body({ messages: [user("q")], response_format: { type: "json_schema", json_schema: { name: "person", schema, strict: true } } });
    expect(b.output_config).toEqual({
      format: {
        type: "json_schema",
        schema: {
          type: "object",
          properties: {
            name: { type: "string", description: "(maxLength: 20)" },
            tags: { type: "array", items: { type: "object", properties: { t: { type: "string" } }, additionalProperties: false } },
          },
          required: ["name"],
          additionalProperties: false,
        },
      },
    });
    expect(b).not.toHaveProperty("tools");
  });

  it("forces a JSON tool on older models and for json_object", () => {
    const legacy = body({ messages: [user("q")], response_format: { type: "json_schema", json_schema: { name: "person", schema } } }, "claude-3-5-sonnet-20241022");
    expect(legacy.tools).toEqual([{ name: "json_tool_call", description: expect.any(String), input_schema: schema }]);
    expect(legacy.tool_choice).toEqual({ type: "tool", name: "json_tool_call" });
    expect(legacy).not.toHaveProperty("output_config");
    const obj = body({ messages: [user("q")], response_format: { type: "json_object" } });
    expect(obj.tools[0].input_schema).toEqual({ type: "object", additionalProperties: true });
    expect(body({ messages: [user("q")], response_format: { type: "text" } })).not.toHaveProperty("tools");
  });

  it("refuses the forced-tool form together with tools or thinking, and a json_schema with no schema", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(refusal({ messages: [user("q")], tools, response_format: { type: "json_object" } }).param).toBe("response_format");
    expect(refusal({ messages: [user("q")], reasoning_effort: "low", response_format: { type: "json_object" } }, "claude-3-7-sonnet-20250219").param).toBe("response_format");
    expect(refusal({ messages: [user("q")], response_format: { type: "json_schema", json_schema: { name: "x" } } }).param).toBe("response_format.json_schema.schema");
    expect(refusal({ messages: [user("q")], tools: [{ type: "function", function: { name: "json_tool_call" } }] }).param).toBe("tools[0].function.name");
  });

  it("turns oneOf into anyOf and keeps minItems 0/1 only", () => {
    expect(structuredSchema({ oneOf: [{ type: "string" }, { type: "number" }], minItems: 3 })).toEqual({ anyOf: [{ type: "string" }, { type: "number" }], minItems: 1, description: "(minItems: 3)" });
  });
});

describe("anthropic request: reasoning_effort", () => {
  it("reads the model generation from its name", () => {
    expect(claudeVersion("claude-3-5-sonnet-20241022")).toBe(3.5);
    expect(claudeVersion("claude-3-haiku-20240307")).toBe(3);
    expect(claudeVersion("claude-sonnet-4-20250514")).toBe(4);
    expect(claudeVersion("claude-opus-4-1-20250805")).toBe(4.1);
    expect(claudeVersion("claude-haiku-4-5")).toBe(4.5);
    expect(claudeVersion("claude-opus-4-6")).toBe(4.6);
    expect(claudeVersion("claude-sonnet-5")).toBe(5);
    expect(claudeVersion("my-finetune")).toBeUndefined();
    expect(thinkingMode("claude-3-7-sonnet-20250219")).toBe("budget");
    expect(thinkingMode("claude-opus-4-6")).toBe("adaptive");
    expect(thinkingMode("claude-3-5-haiku-20241022")).toBe("none");
  });

  it("sends a thinking budget on Claude 3.7-4.5, with max_tokens above it", () => {
    const b = body({ messages: [user("q")], reasoning_effort: "medium" }, "claude-sonnet-4-5-20250929");
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(b.max_tokens).toBe(8192 + 2048);
    const capped = body({ messages: [user("q")], reasoning_effort: "high", max_tokens: 3000 }, "claude-3-7-sonnet-20250219");
    expect(capped.thinking).toEqual({ type: "enabled", budget_tokens: 2999 });
    expect(capped.max_tokens).toBe(3000);
    expect(body({ messages: [user("q")], reasoning_effort: "low" }).thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    expect(body({ messages: [user("q")], reasoning_effort: "none" })).not.toHaveProperty("thinking");
  });

  it("refuses a max_tokens too small for any thinking budget", () => {
    expect(refusal({ messages: [user("q")], reasoning_effort: "low", max_completion_tokens: 1000 }).param).toBe("max_completion_tokens");
  });

  it("sends adaptive thinking with output_config.effort from Claude 4.6 on", () => {
    const b = body({ messages: [user("q")], reasoning_effort: "high" }, "claude-opus-4-6");
    expect(b.thinking).toEqual({ type: "adaptive" });
    expect(b.output_config).toEqual({ effort: "high" });
    expect(body({ messages: [user("q")], reasoning_effort: "xhigh" }, "claude-opus-4-6").output_config).toEqual({ effort: "max" });
    expect(body({ messages: [user("q")], reasoning_effort: "xhigh" }, "claude-opus-4-7").output_config).toEqual({ effort: "xhigh" });
    expect(body({ messages: [user("q")], reasoning_effort: "minimal" }, "claude-sonnet-5").output_config).toEqual({ effort: "low" });
    const both = body({ messages: [user("q")], reasoning_effort: "low", response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } } }, "claude-opus-4-6");
    expect(both.output_config).toEqual({ effort: "low", format: { type: "json_schema", schema: { type: "object", additionalProperties: false } } });
  });

  it("refuses reasoning_effort on models without thinking unless drop_params; passes Anthropic's own `thinking` as given", () => {
    expect(refusal({ messages: [user("q")], reasoning_effort: "low" }, "claude-3-5-sonnet-20241022").param).toBe("reasoning_effort");
    expect(body({ messages: [user("q")], reasoning_effort: "low" }, "claude-3-5-sonnet-20241022", adapterCtx({ dropParams: true }))).not.toHaveProperty("thinking");
    const own = body({ messages: [user("q")], thinking: { type: "enabled", budget_tokens: 5000 } });
    expect(own.thinking).toEqual({ type: "enabled", budget_tokens: 5000 });
    expect(own.max_tokens).toBe(8192 + 5000);
  });
});

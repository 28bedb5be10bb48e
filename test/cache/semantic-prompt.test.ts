import { describe, expect, it } from "vitest";
import { MAX_PROMPT_CHARS, promptText, withoutPrompt } from "../../src/cache/semantic/prompt";
import { similarity, unit } from "../../src/cache/semantic/vector";

describe("what the semantic cache embeds", () => {
  it("chat: each message as role: text (text parts joined); messages: with the system prompt", () => {
    const chat = {
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Capital" },
            { type: "text", text: "of France?" },
          ],
        },
      ],
    };
    expect(promptText("chat", chat, false)).toBe("system: Be brief.\nuser: Capital\nof France?");
    const messages = { system: [{ type: "text", text: "Be brief." }], messages: [{ role: "user", content: "Capital of France?" }] };
    expect(promptText("messages", messages, false)).toBe("system: Be brief.\nuser: Capital of France?");
  });

  it("completions: the prompt (token ids are not matched); responses: instructions and input", () => {
    expect(promptText("completions", { prompt: "Say hi" }, false)).toBe("Say hi");
    expect(promptText("completions", { prompt: [1, 2, 3] }, false)).toBeNull();
    expect(promptText("responses", { instructions: "Be brief.", input: "Hi" }, false)).toBe("system: Be brief.\nuser: Hi");
    expect(promptText("responses", { input: [{ role: "user", content: [{ type: "input_text", text: "Hi" }] }] }, false)).toBe("user: Hi");
    expect(promptText("responses", { input: [{ type: "function_call_output", call_id: "c", output: "x" }] }, false)).toBeNull();
  });

  it("tools, tool messages and images are matched exactly only unless allowed; so are long prompts and other routes", () => {
    const image = {
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "https://x.test/a.png" } },
          ],
        },
      ],
    };
    expect(promptText("chat", image, false)).toBeNull();
    expect(promptText("chat", image, true)).toBe("user: What is this?");
    const tools = { messages: [{ role: "user", content: "Weather?" }], tools: [{ type: "function", function: { name: "w" } }] };
    expect(promptText("chat", tools, false)).toBeNull();
    expect(promptText("chat", tools, true)).toBe("user: Weather?");
    expect(promptText("chat", { messages: [{ role: "tool", tool_call_id: "1", content: "sunny" }] }, false)).toBeNull();
    expect(promptText("chat", { messages: [{ role: "user", content: "x".repeat(MAX_PROMPT_CHARS + 1) }] }, false)).toBeNull();
    expect(promptText("embeddings", { input: "hello" }, false)).toBeNull();
  });

  it("the partition leaves out only the prompt fields", () => {
    expect(withoutPrompt("messages", { messages: [], system: "s", max_tokens: 5 })).toEqual({ max_tokens: 5 });
    expect(withoutPrompt("responses", { input: "x", instructions: "y", temperature: 0 })).toEqual({ temperature: 0 });
  });

  it("vectors are compared by cosine similarity; a zero vector or another dimension matches nothing", () => {
    const a = unit([1, 1, 0])!;
    expect(similarity(a, unit([2, 2, 0])!)).toBeCloseTo(1, 6);
    expect(similarity(a, unit([1, 0, 0])!)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(unit([0, 0, 0])).toBeNull();
    expect(similarity(a, unit([1, 1])!)).toBe(-1);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { chunked, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { fixtures as bedrock, streamBytes, splitRandom } from "../providers/bedrock-helpers";
import { fixtures as gemini, geminiSse, splitBytes } from "../providers/gemini-helpers";
import { anthropic } from "./messages-helpers";

// The Anthropic SDK (Claude Code's wire format) in front of native non-Anthropic adapters:
// Gemini's generateContent and Bedrock's Converse, replaying their recorded traffic.

const GEMINI = "https://gemini.test";
const BEDROCK = "https://bedrock-runtime.us-west-2.amazonaws.com";
const raw = (text: string) => new Response(text, { status: 200, headers: { "content-type": "application/json" } });

afterEach(resetUpstreams);

describe("POST /v1/messages through Gemini", () => {
  it("answers text, streamed and not", async () => {
    fakeUpstream(GEMINI, () => raw(gemini.recordedText));
    const full = await anthropic().messages.create({ model: "gemini-flash", max_tokens: 500, system: "Be terse.", messages: [{ role: "user", content: "How many r's in strawberry?" }] });
    expect(full.content.find((b) => b.type === "text")).toMatchObject({ text: expect.stringContaining("**3** r's") });
    expect(full.stop_reason).toBe("end_turn");
    expect(full.usage.input_tokens).toBe(9);
    expect(received[0]!.url).toContain(":generateContent");
    expect(received[0]!.json()).toMatchObject({ systemInstruction: { parts: [{ text: "Be terse." }] }, contents: [{ role: "user", parts: [{ text: "How many r's in strawberry?" }] }] });

    fakeUpstream(GEMINI, () => chunked(splitBytes(geminiSse(gemini.recordedTextStream), 29)));
    const final = await anthropic()
      .messages.stream({ model: "gemini-flash", max_tokens: 500, messages: [{ role: "user", content: "How many r's?" }] })
      .finalMessage();
    expect(final.content.some((b) => b.type === "text" && b.text.length > 0)).toBe(true);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("round-trips a tool call: tool_use out, a tool_result turn in as a functionResponse", async () => {
    fakeUpstream(GEMINI, () => raw(gemini.recordedTool));
    const tools = [{ name: "weather", description: "Weather for a place", input_schema: { type: "object" as const, properties: { location: { type: "string" } }, required: ["location"] } }];
    const first = await anthropic().messages.create({ model: "gemini-flash", max_tokens: 500, tools, messages: [{ role: "user", content: "Weather in SF?" }] });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ name: "weather", input: { location: "San Francisco" } });

    fakeUpstream(GEMINI, () => raw(gemini.recordedText));
    await anthropic().messages.create({
      model: "gemini-flash",
      max_tokens: 500,
      tools,
      messages: [
        { role: "user", content: "Weather in SF?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use!.type === "tool_use" ? use!.id : "", content: "foggy" }] },
      ],
    });
    const contents = received[1]!.json<{ contents: Array<{ role: string; parts: Array<Record<string, any>> }> }>().contents;
    // Gemini 3's thought signature rides in the tool id, so it comes back through Anthropic's format.
    expect(contents[1]!.parts.find((p) => p.functionCall?.name === "weather")!.thoughtSignature).toMatch(/^EskgCsYg/);
    expect(contents[2]!.parts[0]!.functionResponse).toMatchObject({ name: "weather" });
    expect(JSON.stringify(contents[2]!.parts[0]!.functionResponse)).toContain("foggy");
  });
});

describe("POST /v1/messages through Bedrock Converse", () => {
  it("answers text, streamed and not", async () => {
    fakeUpstream(BEDROCK, () => raw(bedrock.recordedText));
    const full = await anthropic().messages.create({ model: "bedrock-claude", max_tokens: 300, messages: [{ role: "user", content: "How many r's in strawberry?" }] });
    expect(full.content[0]).toMatchObject({ type: "text" });
    expect(received[0]!.url).toContain("/converse");
    expect(received[0]!.json()).toMatchObject({ messages: [{ role: "user", content: [{ text: "How many r's in strawberry?" }] }], inferenceConfig: { maxTokens: 300 } });

    fakeUpstream(BEDROCK, () => chunked(splitRandom(streamBytes(bedrock.recordedTextStream), 7), "application/vnd.amazon.eventstream"));
    const final = await anthropic()
      .messages.stream({ model: "bedrock-claude", max_tokens: 300, messages: [{ role: "user", content: "How many r's?" }] })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("**3** r's") });
    expect(final.usage).toMatchObject({ input_tokens: 22, output_tokens: 55 });
  });

  it("round-trips a tool call, streamed", async () => {
    fakeUpstream(BEDROCK, () => chunked(splitRandom(streamBytes(bedrock.recordedToolStream), 5), "application/vnd.amazon.eventstream"));
    const tools = [{ name: "test-tool", input_schema: { type: "object" as const, properties: { value: { type: "string" } } } }];
    const first = await anthropic()
      .messages.stream({ model: "bedrock-claude", max_tokens: 300, tools, messages: [{ role: "user", content: "Go" }] })
      .finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([{ type: "tool_use", id: "tool-use-id", name: "test-tool", input: { value: "Sparkle Day" } }]);

    fakeUpstream(BEDROCK, () => raw(bedrock.recordedText));
    await anthropic().messages.create({
      model: "bedrock-claude",
      max_tokens: 300,
      tools,
      messages: [
        { role: "user", content: "Go" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tool-use-id", content: "done" }] },
      ],
    });
    const messages = received[1]!.json<{ messages: Array<{ role: string; content: Array<Record<string, any>> }> }>().messages;
    expect(messages[1]!.content[0]!.toolUse).toMatchObject({ toolUseId: "tool-use-id", name: "test-tool", input: { value: "Sparkle Day" } });
    expect(messages[2]!.content[0]!.toolResult).toMatchObject({ toolUseId: "tool-use-id" });
    expect(JSON.stringify(messages[2]!.content[0]!.toolResult)).toContain("done");
  });
});

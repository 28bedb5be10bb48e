import { describe, expect, it } from "vitest";
import { anthropicChat } from "../../src/providers/anthropic";
import { messagesUrl } from "../../src/providers/anthropic/request";
import { parseChatRequest } from "../../src/api/chat";
import { adapterCtx, anthropicDep, body, refusal, user } from "./anthropic-helpers";

describe("anthropic request: URL and headers", () => {
  it("posts to {api_base}/v1/messages with x-api-key and anthropic-version", async () => {
    const req = anthropicChat.request(parseChatRequest({ model: "claude", messages: [user("Hi")] }), anthropicDep(), adapterCtx()) as Request;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://api.anthropic.com/v1/messages");
    expect(req.headers.get("x-api-key")).toBe("sk-ant-unit-secret-0123456789");
    expect(req.headers.get("anthropic-version")).toBe("2023-06-01");
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(req.headers.get("authorization")).toBeNull();
    expect(await req.json()).toEqual({ model: "claude-sonnet-4-5-20250929", max_tokens: 8192, messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }] });
  });

  it("takes api_base as the host root, with or without a trailing slash or /v1/messages", () => {
    expect(messagesUrl(anthropicDep(undefined, { apiBase: "https://proxy.example/anthropic/" }))).toBe("https://proxy.example/anthropic/v1/messages");
    expect(messagesUrl(anthropicDep(undefined, { apiBase: "https://proxy.example/v1/messages" }))).toBe("https://proxy.example/v1/messages");
  });
});

describe("anthropic request: messages", () => {
  it("lifts system and developer messages into `system`, in order, wherever they are", () => {
    const b = body({
      messages: [
        { role: "system", content: "Be brief." },
        user("Hi"),
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "assistant", content: "Bonjour" },
        user("Encore"),
      ],
    });
    expect(b.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Answer in French." },
    ]);
    expect(b.messages.map((m: any) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("merges consecutive messages of one role", () => {
    const b = body({ messages: [user("a"), user([{ type: "text", text: "b" }]), { role: "assistant", content: "c" }, { role: "assistant", content: "d" }, user("e")] });
    expect(b.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "c" },
          { type: "text", text: "d" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "e" }] },
    ]);
  });

  it("turns tool calls into tool_use blocks and tool messages into tool_result blocks of one user turn", () => {
    const b = body({
      messages: [
        user("Weather in Paris and Rome?"),
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            { id: "functions.get_weather:1", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "functions.get_weather:1", content: [{ type: "text", text: "21C" }] },
        user("Thanks"),
      ],
    });
    expect(b.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "functions_get_weather_1", name: "get_weather", input: {} },
      ],
    });
    expect(b.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_1", content: "18C" },
        { type: "tool_result", tool_use_id: "functions_get_weather_1", content: [{ type: "text", text: "21C" }] },
        { type: "text", text: "Thanks" },
      ],
    });
  });

  it("puts tool results first in their user turn even when text came before them", () => {
    const b = body({
      messages: [
        user("q"),
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] },
        user("by the way"),
        { role: "tool", tool_call_id: "t1", content: "r" },
      ],
    });
    expect(b.messages[2].content.map((c: any) => c.type)).toEqual(["tool_result", "text"]);
  });

  it("refuses tool-call arguments that are not JSON, naming the message", () => {
    const e = refusal({ messages: [user("q"), { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{bad" } }] }] });
    expect(e.status).toBe(400);
    expect(e.param).toBe("messages[1].tool_calls[0].function.arguments");
    const notObject = refusal({ messages: [user("q"), { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "[1,2]" } }] }] });
    expect(notObject.param).toBe("messages[1].tool_calls[0].function.arguments");
  });

  it("refuses a tool message without tool_call_id, legacy function messages, and system-only conversations", () => {
    expect(refusal({ messages: [user("q"), { role: "tool", content: "x" }] }).param).toBe("messages[1].tool_call_id");
    expect(refusal({ messages: [user("q"), { role: "function", name: "f", content: "x" }] }).param).toBe("messages[1].role");
    expect(refusal({ messages: [{ role: "system", content: "only" }] }).param).toBe("messages");
  });

  it("sends data: images as base64 and https images by URL", () => {
    const b = body({
      messages: [
        user([
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://images.example/cat.jpg", detail: "high" } },
        ]),
      ],
    });
    expect(b.messages[0].content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://images.example/cat.jpg" } },
    ]);
  });

  it("refuses images Anthropic cannot take, naming the part", () => {
    expect(refusal({ messages: [user([{ type: "image_url", image_url: { url: "http://images.example/cat.jpg" } }])] }).param).toBe("messages[0].content[0].image_url.url");
    expect(refusal({ messages: [user([{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }])] }).message).toContain("image/bmp");
    expect(refusal({ messages: [user([{ type: "input_audio", input_audio: { data: "x", format: "wav" } }])] }).param).toBe("messages[0].content[0].type");
    expect(refusal({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x.example/a.png" } }] }, user("q")] }).param).toBe("messages[0].content");
  });

  it("sends a PDF file part as a document block", () => {
    const b = body({
      messages: [
        user([
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
          { type: "text", text: "Summarise" },
        ]),
      ],
    });
    expect(b.messages[0].content[0]).toEqual({ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "a.pdf" });
    expect(refusal({ messages: [user([{ type: "file", file: { file_id: "file-1" } }])] }).status).toBe(400);
  });

  it("passes cache_control on parts, messages and tools (prompt caching)", () => {
    const b = body({
      messages: [
        { role: "system", content: [{ type: "text", text: "Long rules", cache_control: { type: "ephemeral" } }] },
        { role: "user", content: "Long document", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } }, cache_control: { type: "ephemeral" } }],
    });
    expect(b.system[0].cache_control).toEqual({ type: "ephemeral" });
    expect(b.messages[0].content[0]).toEqual({ type: "text", text: "Long document", cache_control: { type: "ephemeral", ttl: "1h" } });
    expect(b.tools[0].cache_control).toEqual({ type: "ephemeral" });
  });

  it("sends thinking_blocks of earlier assistant turns back first, and trims a final assistant prefill", () => {
    const b = body({
      messages: [user("q"), { role: "assistant", content: "a", thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "sig" }] }, user("q2"), { role: "assistant", content: "Sure:  \n" }],
    });
    expect(b.messages[1].content).toEqual([
      { type: "thinking", thinking: "hmm", signature: "sig" },
      { type: "text", text: "a" },
    ]);
    expect(b.messages[3].content).toEqual([{ type: "text", text: "Sure:" }]);
  });
});

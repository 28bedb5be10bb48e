import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, streamText } from "ai";
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, MASTER, newKey } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";

const workerFetch = (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init));

const usage = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: "s",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

function fake(): void {
  fakeUpstream("https://api.openai.test/v1", (_req, body) =>
    JSON.parse(body).stream
      ? chunked([sse([chunk({ role: "assistant", content: "Hi " }), chunk({ content: "there" }), chunk({}, "stop"), { ...chunk({}), choices: [], usage }])])
      : json({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hi there" }, finish_reason: "stop" }], usage }),
  );
}

afterEach(resetUpstreams);

describe("the Vercel AI SDK's OpenAI-compatible provider, unchanged", () => {
  it("chats and streams with usage", async () => {
    fake();
    const k = await newKey();
    const gateway = createOpenAICompatible({ name: "switchyard", baseURL: `${BASE}/v1`, apiKey: k.key, fetch: workerFetch, includeUsage: true });
    const text = await generateText({ model: gateway("gpt-4o-mini"), prompt: "Hello" });
    expect(text.text).toBe("Hi there");
    expect(text.usage.inputTokens).toBe(7);
    const stream = streamText({ model: gateway("gpt-4o-mini"), prompt: "Hello" });
    let out = "";
    for await (const part of stream.textStream) out += part;
    expect(out).toBe("Hi there");
    expect((await stream.usage).outputTokens).toBe(2);
    expect(received.at(-1)!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

describe("LangChain's ChatOpenAI, unchanged", () => {
  it("chats and streams", async () => {
    fake();
    const llm = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: MASTER, maxRetries: 0, configuration: { baseURL: `${BASE}/v1`, fetch: workerFetch } });
    const msg = await llm.invoke("Hello");
    expect(msg.content).toBe("Hi there");
    expect(msg.usage_metadata?.total_tokens).toBe(9);
    let out = "";
    for await (const c of await llm.stream("Hello")) out += String(c.content);
    expect(out).toBe("Hi there");
  });
});

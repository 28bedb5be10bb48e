import { afterEach, describe, expect, it } from "vitest";
import { openai } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

describe("workers_ai", () => {
  it("calls the account's OpenAI-compatible endpoint with the API token and the @cf model name", async () => {
    fakeUpstream("https://api.cloudflare.com/client/v4/accounts/acc0123456789/ai/v1/chat/completions", () =>
      json({ id: "c", object: "chat.completion", created: 1, model: "@cf/meta/llama-3.1-8b-instruct", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }),
    );
    const res = await openai().chat.completions.create({ model: "cf-llama", messages: [{ role: "user", content: "hello" }] });
    expect(res.choices[0]!.message.content).toBe("hi");
    expect(received[0]!.headers.authorization).toBe("Bearer cf-api-token-0123456789");
    expect(received[0]!.json()).toMatchObject({ model: "@cf/meta/llama-3.1-8b-instruct" });
  });
});

import { exports } from "cloudflare:workers";
import { AzureOpenAI } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { BASE, eventually, gw, MASTER, newKey, openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";
import { completion } from "./messages-helpers";

const OPENAI = "https://api.openai.test/v1";

const textCompletion = (text: string) => ({
  id: "cmpl-up",
  object: "text_completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, text, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
});
const textChunk = (text: string, finish: string | null = null) => ({
  id: "cmpl-s",
  object: "text_completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
});
const textUsage = { id: "cmpl-s", object: "text_completion", created: 1, model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } };

/** Azure's official client pointed at the worker: deployment-scoped paths, the api-key header. */
function azure(key: string = MASTER, deployment = "gpt-4o-mini"): AzureOpenAI {
  return new AzureOpenAI({
    apiKey: key,
    endpoint: BASE,
    deployment,
    apiVersion: "2024-10-21",
    maxRetries: 0,
    fetch: (url: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(url as RequestInfo, init)),
  });
}

afterEach(resetUpstreams);

describe("POST /v1/completions (legacy) for OpenAI-compatible upstreams", () => {
  it("passes the request and answer through, priced", async () => {
    fakeUpstream(OPENAI, () => json(textCompletion(" world")));
    const { data, response } = await openai().completions.create({ model: "gpt-4o-mini", prompt: "Hello", max_tokens: 5, suffix: "!" }).withResponse();
    expect(data.choices[0]!.text).toBe(" world");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(received[0]!.url).toBe(`${OPENAI}/completions`);
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(received[0]!.json()).toEqual({ model: "gpt-4o-mini", prompt: "Hello", max_tokens: 5, suffix: "!" });
  });

  it("streams, asks for usage upstream, strips it when the client did not ask, and records the spend", async () => {
    const k = await newKey();
    fakeUpstream(OPENAI, () => chunked([sse([textChunk("a"), textChunk("b", "stop"), textUsage])]));
    const stream = await openai(k.key).completions.create({ model: "gpt-4o-mini", prompt: "x", stream: true });
    let text = "";
    for await (const c of stream) {
      expect(c.usage ?? null).toBeNull();
      text += c.choices[0]?.text ?? "";
    }
    expect(text).toBe("ab");
    expect(received[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const rows = await eventually(async () => {
      const r = await (await gw(`/spend/logs?api_key=${k.token}`)).json();
      return r.length ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ prompt_tokens: 4, completion_tokens: 2, status: "success", metadata: { route: "completions", stream: true } });
  });

  it("answers a clear 400 for a model whose provider has no completions API", async () => {
    const res = await post("/v1/completions", { model: "anthropic-sonnet", prompt: "x" });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.error.param).toBe("model");
    expect(body.error.message).toContain("/v1/chat/completions");
    const missing = await post("/v1/completions", { model: "gpt-4o-mini" });
    expect((await missing.json<any>()).error.param).toBe("prompt");
    expect(received).toHaveLength(0);
  });
});

describe("Azure OpenAI paths with the Azure client", () => {
  it("serves /openai/deployments/{model}/chat/completions with the api-key header, the model from the path", async () => {
    fakeUpstream(OPENAI, () => json(completion({ content: "from azure path" })));
    const k = await newKey();
    const { data, response } = await azure(k.key)
      .chat.completions.create({ model: "ignored-by-azure", messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("from azure path");
    expect(response.headers.get("x-gateway-deployment")).toBe("oai-mini");
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
  });

  it("serves embeddings on the Azure path, and refuses a bad api-key", async () => {
    fakeUpstream(OPENAI, () => json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model: "x", usage: { prompt_tokens: 2, total_tokens: 2 } }));
    const emb = await azure(MASTER).embeddings.create({ model: "whatever", input: "hello", encoding_format: "float" });
    expect(emb.data[0]!.embedding).toEqual([0.1, 0.2]);
    expect(received[0]!.url).toBe(`${OPENAI}/embeddings`);
    expect(received[0]!.json()).toMatchObject({ model: "gpt-4o-mini", input: "hello" });
    const err = await azure("sk-wrong")
      .chat.completions.create({ model: "x", messages: [{ role: "user", content: "Hi" }] })
      .catch((e) => e);
    expect(err.status).toBe(401);
    expect(err.error).toMatchObject({ code: "invalid_api_key" });
  });

  it("answers an unknown deployment with 404 model_not_found", async () => {
    const res = await gw("/openai/deployments/nope/chat/completions?api-version=2024-10-21", {
      method: "POST",
      key: null,
      headers: { "api-key": MASTER },
      body: JSON.stringify({ messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(res.status).toBe(404);
    expect((await res.json<any>()).error.code).toBe("model_not_found");
  });
});

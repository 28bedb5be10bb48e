import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { openaiWith, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { completion } from "./jwt-helpers";

const CFG = {
  GATEWAY_CONFIG: stringify({
    model_list: [
      { model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
      { model_name: "embed", litellm_params: { model: "openai/text-embedding-3-small", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
    ],
    general_settings: { enforce_user_param: true },
  }),
};

beforeEach(() => {
  fakeUpstream("https://api.openai.test/v1/embeddings", () =>
    json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }], model: "m", usage: { prompt_tokens: 1, total_tokens: 1 } }),
  );
  fakeUpstream("https://api.openai.test/v1/chat", () => completion());
});
afterEach(resetUpstreams);

const upstreamCalls = () => received.filter((r) => r.url.startsWith("https://api.openai.test")).length;

describe("general_settings.enforce_user_param", () => {
  it("a model call without `user` is a 400 naming it, before anything reaches the provider", async () => {
    const client = openaiWith(CFG);
    const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ type: "invalid_request_error", param: "user" });
    expect(err.error.message).toMatch(/'user' param not passed in/);
    const emb = await withEnv(CFG, "/v1/embeddings", { method: "POST", body: JSON.stringify({ model: "embed", input: "x" }) });
    expect(emb.status).toBe(400);
    expect(upstreamCalls()).toBe(0);

    const ok = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], user: "customer-1" });
    expect(ok.choices[0]?.message.content).toBe("ok");
    expect((await withEnv(CFG, "/v1/embeddings", { method: "POST", body: JSON.stringify({ model: "embed", input: "x", user: "customer-1" }) })).status).toBe(200);
  });

  it("is off by default; a non-boolean value is a config error", async () => {
    const off = { GATEWAY_CONFIG: CFG.GATEWAY_CONFIG.replace("enforce_user_param: true", "enforce_user_param: false") };
    expect((await withEnv(off, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) })).status).toBe(200);
    const bad = { GATEWAY_CONFIG: CFG.GATEWAY_CONFIG.replace("enforce_user_param: true", "enforce_user_param: yes-please") };
    const res = await withEnv(bad, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/enforce_user_param/);
  });
});

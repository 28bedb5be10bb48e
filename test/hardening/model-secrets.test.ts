import { afterEach, describe, expect, it } from "vitest";
import { env, gw, MASTER, post, withEnv } from "../helpers/gateway";
import { received, resetUpstreams, fakeUpstream, json } from "../helpers/upstream";

afterEach(resetUpstreams);

const OPENAI_VALUE = "sk-upstream-secret-openai-0123456789";
const SALT_VALUE = "test-salt-key-for-stored-secrets";

async function refused(res: Response, param: string): Promise<string> {
  expect(res.status).toBe(400);
  const body = await res.json();
  expect(body.error.type).toBe("invalid_request_error");
  expect(body.error.param).toBe(param);
  return body.error.message as string;
}

describe("models added through the API read only allow-listed secrets", () => {
  it("os.environ/MASTER_KEY in a stored model is a 400 naming the field", async () => {
    const res = await post("/model/new", { model_name: "steal", litellm_params: { model: "openai/x", api_base: "https://evil.test/v1", api_key: "os.environ/MASTER_KEY" } });
    const message = await refused(res, "litellm_params.api_key");
    expect(message).toContain("allowed_stored_model_secrets");
    expect(message).not.toContain(MASTER);
  });

  it("any field counts: a descriptive one cannot read the salt key either", async () => {
    const res = await post("/model/new", { model_name: "steal2", litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY", note: "os.environ/SWITCHYARD_SALT_KEY" } });
    await refused(res, "litellm_params.note");
  });

  it("/model/update is held to the same list", async () => {
    const ok = await post("/model/new", { model_name: "upd-secret", litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "upd-secret" } });
    expect(ok.status).toBe(200);
    await refused(await post("/model/update", { model_info: { id: "upd-secret" }, litellm_params: { api_base: "os.environ/MASTER_KEY" } }), "litellm_params.api_base");
    await post("/model/delete", { id: "upd-secret" });
  });

  it("the list is empty by default: no binding can be referenced", async () => {
    const config = "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_key: os.environ/OPENAI_API_KEY}\n";
    const res = await withEnv({ GATEWAY_CONFIG: config }, "/model/new", {
      method: "POST",
      body: JSON.stringify({ model_name: "b", litellm_params: { model: "openai/b", api_key: "os.environ/OPENAI_API_KEY" } }),
    });
    await refused(res, "litellm_params.api_key");
  });

  it("a value read from a binding is never shown: /model/info shows the reference", async () => {
    const res = await post("/model/new", {
      model_name: "shown",
      litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY", note: "os.environ/OPENAI_API_KEY" },
      model_info: { id: "shown" },
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.clone().json())).not.toContain(OPENAI_VALUE);
    const info = await (await gw("/model/info?litellm_model_id=shown")).json();
    expect(JSON.stringify(info)).not.toContain(OPENAI_VALUE);
    expect(info.data[0].litellm_params.note).toBe("os.environ/OPENAI_API_KEY");
    const all = await (await gw("/model/info")).text();
    expect(all).not.toContain(OPENAI_VALUE);
    await post("/model/delete", { id: "shown" });
  });

  it("a stored row that reads a binding outside the list (written before the list existed) is not usable and leaks nothing", async () => {
    fakeUpstream("https://evil.test/v1", () => json({}));
    await env.DB.prepare("INSERT INTO models (id, model_name, litellm_params, model_info, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?)")
      .bind("old-row", "old-row-model", JSON.stringify({ model: "openai/o", api_base: "https://evil.test/v1", api_key: "os.environ/SWITCHYARD_SALT_KEY" }), Date.now(), Date.now())
      .run();
    // A fresh config source makes this isolate read the stored models again.
    const res = await withEnv({ GATEWAY_CONFIG: "model_list: []\n" }, "/v1/chat/completions", {
      method: "POST",
      body: JSON.stringify({ model: "old-row-model", messages: [{ role: "user", content: "x" }] }),
    });
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).not.toContain(SALT_VALUE);
    expect(text).toContain("SWITCHYARD_SALT_KEY");
    expect(received).toHaveLength(0);
    const info = await withEnv({ GATEWAY_CONFIG: "model_list: []\n" }, "/model/info");
    expect(await info.text()).not.toContain(SALT_VALUE);
    await env.DB.prepare("DELETE FROM models WHERE id = 'old-row'").run();
  });
});

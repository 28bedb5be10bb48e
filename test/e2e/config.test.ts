import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve";
import { gw, withEnv } from "../helpers/gateway";

const chatBody = JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] });

describe("config", () => {
  it("a bad config answers 503 config_error naming the path, on every request and at readiness", async () => {
    const bad = "model_list:\n  - model_name: m\n    litellm_params:\n      api_key: x\n";
    const res = await withEnv({ GATEWAY_CONFIG: bad }, "/v1/chat/completions", { method: "POST", body: chatBody });
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toContain("model_list[0].litellm_params.model");
    const models = await withEnv({ GATEWAY_CONFIG: bad }, "/v1/models");
    expect(models.status).toBe(503);
    const ready = await withEnv({ GATEWAY_CONFIG: bad }, "/health/readiness");
    expect(ready.status).toBe(503);
    expect((await ready.json()).config).toMatchObject({ valid: false, error: expect.stringContaining("model_list[0].litellm_params.model") });
    const alive = await withEnv({ GATEWAY_CONFIG: bad }, "/health/liveliness");
    expect(alive.status).toBe(200);
  });

  it("names the entry of an unknown provider and of YAML that does not parse", async () => {
    const unknown = resolveConfig("model_list:\n  - model_name: a\n    litellm_params: {model: openai/x}\n  - model_name: b\n    litellm_params: {model: nosuch/x}\n", {});
    expect(unknown.error).toContain("model_list[1].litellm_params.model");
    expect(unknown.error).toContain("nosuch");
    const yaml = resolveConfig("model_list: [\n  - oops", {});
    expect(yaml.error).toContain("not valid YAML");
    const bare = resolveConfig("model_list:\n  - model_name: a\n    litellm_params: {model: mystery-model}\n", {});
    expect(bare.error).toContain("<provider>/<model>");
  });

  it("takes JSON text and objects as well as YAML, infers bare OpenAI and Claude names, and hashes a stable id", () => {
    const json = resolveConfig(JSON.stringify({ model_list: [{ model_name: "a", litellm_params: { model: "gpt-4o", api_key: "k" } }] }), {});
    expect(json.deployments[0]).toMatchObject({ provider: "openai", model: "gpt-4o" });
    const obj = resolveConfig({ model_list: [{ model_name: "a", litellm_params: { model: "gpt-4o", api_key: "k" } }] }, {});
    expect(obj.deployments[0]!.id).toBe(json.deployments[0]!.id);
    expect(obj.deployments[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    const nested = resolveConfig({ model_list: [{ model_name: "l", litellm_params: { model: "hosted_vllm/meta-llama/Llama-3", api_base: "http://h/v1" } }] }, {});
    expect(nested.deployments[0]).toMatchObject({ provider: "hosted_vllm", model: "meta-llama/Llama-3" });
  });

  it("reads os.environ/NAME from bindings; a missing one fails only its deployment", () => {
    const cfg = resolveConfig(
      "model_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: os.environ/KEY_A}\n  - model_name: b\n    litellm_params: {model: openai/y, api_key: os.environ/KEY_B}\n",
      { KEY_A: "secret-a" },
    );
    expect(cfg.error).toBeUndefined();
    expect(cfg.deployments[0]).toMatchObject({ apiKey: "secret-a" });
    expect(cfg.deployments[0]!.error).toBeUndefined();
    expect(cfg.deployments[1]!.error).toContain("os.environ/KEY_B");
  });

  it("lists options the gateway does not support yet at /health/readiness (master key)", async () => {
    const res = await gw("/health/readiness");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "healthy", db: "connected", config: { valid: true, master_key: "set" } });
    expect(body.config.unsupported).toContain("litellm_settings.set_verbose: not supported yet; ignored");
    expect(body.config.deployment_errors).toEqual(expect.arrayContaining([expect.objectContaining({ id: "broken-1", error: expect.stringContaining("NOT_SET_ANYWHERE") })]));
    expect(JSON.stringify(body)).not.toContain("sk-upstream-secret");
    const cfg = resolveConfig("router_settings: {routing_strategy: round-robin}\nmodel_list:\n  - model_name: a\n    litellm_params: {model: openai/x, api_key: k, mystery_param: 1}\n", {});
    expect(cfg.unsupported).toEqual(expect.arrayContaining([expect.stringContaining("routing_strategy"), "model_list[0].litellm_params.mystery_param: not supported yet; ignored"]));
  });

  it("without any master key every authenticated route is a 503 saying how to set one", async () => {
    const res = await withEnv({ MASTER_KEY: undefined, GATEWAY_CONFIG: "model_list: []" }, "/v1/models");
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.error.code).toBe("config_error");
    expect(body.error.message).toContain("MASTER_KEY");
  });

  it("takes the master key from general_settings (a literal or os.environ/NAME) when no MASTER_KEY binding is set", async () => {
    const cfg = "general_settings:\n  master_key: os.environ/MY_ADMIN\nmodel_list: []\n";
    const ok = await withEnv({ MASTER_KEY: undefined, GATEWAY_CONFIG: cfg, MY_ADMIN: "sk-admin-from-env" }, "/v1/models", { key: "sk-admin-from-env" });
    expect(ok.status).toBe(200);
    const wrong = await withEnv({ MASTER_KEY: undefined, GATEWAY_CONFIG: cfg, MY_ADMIN: "sk-admin-from-env" }, "/v1/models", { key: "sk-test-master" });
    expect(wrong.status).toBe(401);
    const literal = await withEnv({ MASTER_KEY: undefined, GATEWAY_CONFIG: "general_settings: {master_key: sk-lit}\n" }, "/v1/models", { key: "sk-lit" });
    expect(literal.status).toBe(200);
  });

  it("the MASTER_KEY binding wins over general_settings.master_key", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: "general_settings: {master_key: sk-other}\n" }, "/v1/models", { key: "sk-test-master" });
    expect(res.status).toBe(200);
  });
});

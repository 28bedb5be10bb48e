import { describe, expect, it } from "vitest";
import { newKey, withEnv } from "../helpers/gateway";

const CONFIG = `
model_list:
  - model_name: grp-a
    litellm_params: {model: openai/gpt-4o-mini, api_key: k-a1, rpm: 10}
    model_info: {id: a1}
  - model_name: grp-a
    litellm_params: {model: openai/gpt-4o-mini, api_base: https://other.test/v1, api_key: k-a2, rpm: 20}
    model_info: {id: a2, max_output_tokens: 16384, supports_function_calling: true}
  - model_name: grp-claude
    litellm_params: {model: anthropic/claude-3-5-haiku-latest, api_key: k-c}
    model_info: {id: c1, supports_vision: true, max_input_tokens: 200000}
  - model_name: grp-priced
    litellm_params: {model: openai/house-model, api_base: https://house.test/v1, api_key: k-h, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, tpm: 1000}
    model_info: {id: h1}
  - model_name: grp-embed
    litellm_params: {model: openai/text-embedding-3-small, api_key: k-e}
    model_info: {id: e1}
  - model_name: grp-unknown
    litellm_params: {model: openai/nobody-knows-this-model, api_base: https://x.test/v1, api_key: k-u}
    model_info: {id: u1, mode: completion}
`;

const info = (query = "", key?: string | null) => withEnv({ GATEWAY_CONFIG: CONFIG }, `/model_group/info${query}`, { key });
const byGroup = (data: any[]) => Object.fromEntries(data.map((g) => [g.model_group, g]));

describe("GET /model_group/info: LiteLLM's ModelGroupInfo list", () => {
  it("every group, merged over its deployments, from the config's model_info and the price table", async () => {
    const res = await info();
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(Object.keys(body)).toEqual(["data"]);
    const g = byGroup(body.data);
    expect(Object.keys(g).sort()).toEqual(["grp-a", "grp-claude", "grp-embed", "grp-priced", "grp-unknown"]);

    const a = g["grp-a"];
    expect(a).toMatchObject({
      model_group: "grp-a",
      providers: ["openai"],
      mode: "chat",
      rpm: 30,
      tpm: null,
      max_input_tokens: 128000,
      max_output_tokens: 16384,
      supports_function_calling: true,
      supports_vision: false,
    });
    expect(a.input_cost_per_token).toBeCloseTo(0.15 / 1e6, 12);
    expect(a.output_cost_per_token).toBeCloseTo(0.6 / 1e6, 12);
    expect(a.supported_openai_params).toEqual(expect.arrayContaining(["temperature", "max_tokens", "tools", "tool_choice", "response_format", "logprobs", "stream", "n"]));
    for (const gatewayOnly of ["model", "messages", "fallbacks", "num_retries", "drop_params", "metadata"]) expect(a.supported_openai_params).not.toContain(gatewayOnly);
    for (const field of [
      "input_cost_per_pixel",
      "itpm",
      "otpm",
      "supported_reasoning_efforts",
      "configurable_clientside_auth_params",
      "supports_reasoning",
      "supports_web_search",
      "supports_url_context",
      "supports_parallel_function_calling",
    ]) {
      expect(a).toHaveProperty(field);
    }

    const claude = g["grp-claude"];
    expect(claude).toMatchObject({ providers: ["anthropic"], supports_vision: true, max_input_tokens: 200000 });
    expect(claude.supported_openai_params).toContain("tools");
    for (const refused of ["logprobs", "n", "seed"]) expect(claude.supported_openai_params).not.toContain(refused);

    expect(g["grp-priced"]).toMatchObject({ input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, tpm: 1000, rpm: null });
    expect(g["grp-embed"]).toMatchObject({ mode: "embedding", max_input_tokens: 8192, supported_openai_params: ["encoding_format", "dimensions", "user"] });
    expect(g["grp-unknown"]).toMatchObject({ mode: "completion", input_cost_per_token: null, output_cost_per_token: null, max_input_tokens: null });
    expect(JSON.stringify(body)).not.toMatch(/k-a1|k-a2|k-c|api_key/);
  });

  it("a virtual key sees only the groups it may use; ?model_group= answers one, 404 unknown, 403 not the key's", async () => {
    const k = await newKey({ models: ["grp-a", "grp-embed"] });
    const mine = await (await info("", k.key)).json<any>();
    expect(mine.data.map((g: any) => g.model_group).sort()).toEqual(["grp-a", "grp-embed"]);

    const one = await (await info("?model_group=grp-embed", k.key)).json<any>();
    expect(one.data.map((g: any) => g.model_group)).toEqual(["grp-embed"]);
    const denied = await info("?model_group=grp-claude", k.key);
    expect(denied.status).toBe(403);
    expect((await denied.json<any>()).error.code).toBe("key_model_access_denied");
    const unknown = await info("?model_group=nope");
    expect(unknown.status).toBe(404);
    expect((await unknown.json<any>()).error.code).toBe("model_not_found");
    expect((await info("", null)).status).toBe(401);
    expect((await info("", "sk-not-a-key")).status).toBe(401);
  });
});

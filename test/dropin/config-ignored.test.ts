import { describe, expect, it } from "vitest";
import { withEnv } from "../helpers/gateway";

const CONFIG = `
model_list:
  - model_name: a
    litellm_params: {model: openai/x, api_key: k, api_base: "https://a.test/v1"}
    model_info: {id: a-1, mode: chat, description: "a model"}
    tpm_note: 5
finetune_settings:
  custom_llm_provider: azure
files_settings:
  - custom_llm_provider: openai
assistant_settings: {custom_llm_provider: openai}
environment_variables:
  REDIS_HOST: localhost
litellm_settings:
  set_verbose: true
`;

describe("config sections and fields Switchyard ignores", () => {
  it("are listed in /health/readiness's master-key details, never in the public answer", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/readiness");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.config.ignored).toEqual([
      "finetune_settings: not supported; the whole section is ignored",
      "files_settings: not supported; the whole section is ignored",
      "assistant_settings: not supported; the whole section is ignored",
      "environment_variables.REDIS_HOST: ignored; Worker variables and secrets are the environment (wrangler secret put REDIS_HOST)",
      "model_list[0].tpm_note: not supported; ignored",
      "model_list[0].model_info.mode: not used; ignored",
      "model_list[0].model_info.description: not used; ignored",
    ]);
    // Unknown keys inside a known section stay where they were.
    expect(body.config.unsupported).toContain("litellm_settings.set_verbose: not supported yet; ignored");
    const anonymous = await (await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/readiness", { key: null })).json();
    expect(anonymous).not.toHaveProperty("config");
    expect(JSON.stringify(anonymous)).not.toContain("finetune_settings");
  });
});

// The settings keys Switchyard honours come from one schema per section: a key in a schema's shape
// is supported, any other key is reported as unsupported, and a value of the wrong type is refused
// with the same message its part's parse function gives.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve";
import { SETTINGS_SCHEMAS, SETTINGS_SECTIONS, SUPPORTED_SETTINGS } from "../../src/config/settings-schemas";
import { withEnv } from "../helpers/gateway";

const bindings = { MASTER_KEY: "sk-master-0123456789abcdef0123456789" };

const CONFIG = `
model_list:
  - model_name: a
    litellm_params: {model: openai/x, api_key: k, api_base: "https://a.test/v1"}
router_settings:
  num_retries: 1
  enable_pre_call_checks: true
litellm_settings:
  drop_params: true
  set_verbose: true
general_settings:
  health_check_details: false
  database_url: postgres://nowhere
`;

describe("settings by schema", () => {
  it("/health/readiness lists each section's schema keys as supported and any other key as unsupported", async () => {
    const res = await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/readiness");
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.config.supported).toEqual({
      router_settings: Object.keys(SETTINGS_SCHEMAS.router_settings.shape),
      litellm_settings: Object.keys(SETTINGS_SCHEMAS.litellm_settings.shape),
      general_settings: Object.keys(SETTINGS_SCHEMAS.general_settings.shape),
    });
    expect(body.config.supported.router_settings).toContain("num_retries");
    expect(body.config.supported.litellm_settings).toContain("drop_params");
    expect(body.config.supported.general_settings).toContain("health_check_details");
    expect(body.config.unsupported).toEqual([
      "router_settings.enable_pre_call_checks: not supported yet; ignored",
      "litellm_settings.set_verbose: not supported yet; ignored",
      "general_settings.database_url: not supported yet; ignored",
    ]);
    const anonymous = await (await withEnv({ GATEWAY_CONFIG: CONFIG }, "/health/readiness", { key: null })).json();
    expect(anonymous).not.toHaveProperty("config");
  });

  it("every key of every schema is supported, and a key outside the schemas is not", () => {
    for (const section of SETTINGS_SECTIONS) {
      const keys = Object.keys(SETTINGS_SCHEMAS[section].shape);
      expect(SUPPORTED_SETTINGS[section]).toEqual(keys);
      for (const key of keys) {
        // An unset value: the key is known, nothing else is checked.
        const out = resolveConfig({ [section]: { [key]: undefined } }, bindings);
        expect(out.error).toBeUndefined();
        expect(out.unsupported.filter((u) => u.startsWith(`${section}.${key}:`))).toEqual([]);
      }
      const out = resolveConfig({ [section]: { not_a_setting_here: 1 } }, bindings);
      expect(out.unsupported).toEqual([`${section}.not_a_setting_here: not supported yet; ignored`]);
    }
  });

  it("model_info and litellm_params fields come from their schemas too: access_groups is read, not ignored", () => {
    const out = resolveConfig(
      {
        model_list: [
          {
            model_name: "a",
            litellm_params: { model: "openai/x", api_key: "k", custom_llm_provider: "openai", stream_timeout: 5, made_up_param: 1 },
            model_info: { id: "a-1", base_model: "gpt-4o", access_groups: ["beta"], mode: "chat" },
          },
        ],
      },
      bindings,
    );
    expect(out.error).toBeUndefined();
    expect(out.ignored).toEqual(["model_list[0].model_info.mode: not used; ignored"]);
    expect(out.unsupported).toEqual(["model_list[0].litellm_params.made_up_param: not supported yet; ignored"]);
  });

  it("a value of the wrong type is refused with its part's message, naming the path", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ router_settings: { num_retries: "2" } }, "router_settings.num_retries: must be a whole number >= 0"],
      [{ litellm_settings: { fallbacks: { a: ["b"] } } }, "litellm_settings.fallbacks: must be a list of {model_group: [fallback groups]}"],
      [{ litellm_settings: { drop_params: "yes" } }, "litellm_settings.drop_params: must be true or false"],
      [{ litellm_settings: { success_callback: "langfuse" } }, "litellm_settings.success_callback: "],
      [{ general_settings: { health_check_interval: "5m" } }, "general_settings.health_check_interval: must be a number of seconds >= 10"],
      [{ general_settings: { cloudflare_access: ["x"] } }, "general_settings.cloudflare_access: must be {team_domain, aud}"],
      [{ general_settings: { max_request_size_mb: null } }, "general_settings.max_request_size_mb: must be a positive number"],
    ];
    for (const [config, message] of cases) expect(resolveConfig(config, bindings).error).toContain(`Invalid config at ${message}`);
  });

  it("null stays 'unset' where the part's parse function reads it so", () => {
    const out = resolveConfig(
      { litellm_settings: { cache: null, callbacks: null }, general_settings: { background_health_checks: null, pass_through_endpoints: null, alerting: null, custom_auth: null } },
      bindings,
    );
    expect(out.error).toBeUndefined();
    expect(out.unsupported).toEqual([]);
  });

  it("a key checked only when its part is on is not type-checked while the part is off", () => {
    const out = resolveConfig({ general_settings: { custom_auth_timeout: "soon", litellm_jwtauth: "x", batch_settings: null } }, bindings);
    expect(out.error).toBeUndefined();
    expect(out.unsupported).toContain("general_settings.litellm_jwtauth: ignored because enable_jwt_auth is not true");
  });
});

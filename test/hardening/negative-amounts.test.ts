import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve";
import { post } from "../helpers/gateway";

const MASTER = { master_key: "sk-0123456789abcdef0123456789abcdef" };
const withModel = (litellm_params: Record<string, unknown>, model_info?: Record<string, unknown>) =>
  resolveConfig(
    { model_list: [{ model_name: "m", litellm_params: { model: "openai/gpt-4o", api_key: "k", ...litellm_params }, ...(model_info ? { model_info } : {}) }], general_settings: MASTER },
    {},
  );

const COSTS = [
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_read_input_token_cost",
  "cache_creation_input_token_cost",
  "output_cost_per_reasoning_token",
  "input_cost_per_second",
  "input_cost_per_character",
  "output_cost_per_image",
  "input_cost_per_query",
  "input_cost_per_token_batches",
  "output_cost_per_token_batches",
  // Not read by the gateway, but a price all the same: never negative.
  "output_cost_per_second",
];

describe("config.yaml: prices and deployment limits are never negative", () => {
  it.each([...COSTS, "rpm", "tpm"])("litellm_params.%s < 0 is a config error naming the field", (field) => {
    const config = withModel({ [field]: -0.001 });
    expect(config.error).toContain(`model_list[0].litellm_params.${field}`);
    expect(config.error).toContain(">= 0");
    expect(withModel({ [field]: 0 }).error).toBeUndefined();
  });

  it.each(["input_cost_per_token", "output_cost_per_token", "input_cost_per_token_batches", "output_cost_per_token_batches"])("model_info.%s < 0 is a config error naming the field", (field) => {
    const config = withModel({}, { [field]: -1 });
    expect(config.error).toContain(`model_list[0].model_info.${field}`);
    expect(withModel({}, { [field]: 1e-6 }).error).toBeUndefined();
  });
});

async function refused(path: string, body: unknown, param: string) {
  const res = await post(path, body);
  expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
  const err = (await res.json<{ error: { type: string; param: string; message: string } }>()).error;
  expect(err.type).toBe("invalid_request_error");
  expect(err.param).toBe(param);
  expect(err.message).toContain(param);
}

describe("the admin API refuses negative prices, budgets and limits with a 400 naming the field", () => {
  it("/model/new and /model/update", async () => {
    const params = { model: "openai/gpt-4o", api_key: "k" };
    await refused("/model/new", { model_name: "neg", litellm_params: { ...params, input_cost_per_token: -1 } }, "litellm_params.input_cost_per_token");
    await refused("/model/new", { model_name: "neg", litellm_params: { ...params, output_cost_per_second: -1 } }, "litellm_params.output_cost_per_second");
    await refused("/model/new", { model_name: "neg", litellm_params: { ...params, rpm: -5 } }, "litellm_params.rpm");
    await refused("/model/new", { model_name: "neg", litellm_params: params, model_info: { output_cost_per_token: -1 } }, "model_info.output_cost_per_token");
    const made = await post("/model/new", { model_name: "neg", litellm_params: params, model_info: { id: "neg-1" } });
    expect(made.status).toBe(200);
    await refused("/model/update", { model_info: { id: "neg-1" }, litellm_params: { output_cost_per_token: -2 } }, "litellm_params.output_cost_per_token");
    await refused("/model/update", { model_info: { id: "neg-1", input_cost_per_token: -2 } }, "model_info.input_cost_per_token");
  });

  const bodies: Array<[string, Record<string, unknown>]> = [
    ["/key/generate", {}],
    ["/team/new", {}],
    ["/user/new", { auto_create_key: false }],
    ["/organization/new", {}],
    ["/customer/new", { user_id: "neg-cust" }],
    ["/end_user/new", { user_id: "neg-end" }],
  ];
  it.each(bodies)("%s: max_budget, rpm_limit and tpm_limit", async (path, base) => {
    for (const field of ["max_budget", "rpm_limit", "tpm_limit"]) await refused(path, { ...base, [field]: -1 }, field);
  });

  it("/key/generate: soft_budget, temp_budget_increase, max_parallel_requests, model_max_budget, model_rpm_limit", async () => {
    for (const field of ["soft_budget", "temp_budget_increase", "max_parallel_requests"]) await refused("/key/generate", { [field]: -1 }, field);
    await refused("/key/generate", { model_max_budget: { "gpt-4o": { budget_limit: -1 } } }, "model_max_budget.gpt-4o.budget_limit");
    await refused("/key/generate", { model_rpm_limit: { "gpt-4o": -1 } }, "model_rpm_limit.gpt-4o");
  });

  it("/team/member_add and /team/member_update: max_budget_in_team", async () => {
    await post("/team/new", { team_id: "neg-team" });
    await refused("/team/member_add", { team_id: "neg-team", member: { user_id: "neg-member" }, max_budget_in_team: -1 }, "max_budget_in_team");
    await refused("/team/member_update", { team_id: "neg-team", user_id: "neg-member", max_budget_in_team: -1 }, "max_budget_in_team");
  });
});

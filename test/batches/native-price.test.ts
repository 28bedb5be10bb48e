import { describe, expect, it } from "vitest";
import { batchPrice } from "../../src/batches/native/price";
import { resolveConfig } from "../../src/config/resolve";

const MASTER = "sk-0123456789abcdef0123456789abcdef";
const resolve = (params: Record<string, unknown>, info: Record<string, unknown> = {}) =>
  resolveConfig(
    { model_list: [{ model_name: "g", litellm_params: { model: "openai/gpt-4o-mini", api_key: "k", ...params }, model_info: { id: "d", ...info } }], general_settings: { master_key: MASTER } },
    {},
  );
const usage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 };

describe("native batch prices: input_cost_per_token_batches / output_cost_per_token_batches", () => {
  it("price a native batch line when set (litellm_params, or model_info as LiteLLM reads it), and are not listed as unsupported", () => {
    const both = resolve({ input_cost_per_token: 0.00001, output_cost_per_token: 0.00003, input_cost_per_token_batches: 0.000001, output_cost_per_token_batches: 0.000002 });
    expect(both.error).toBeUndefined();
    expect(JSON.stringify(both.unsupported)).not.toContain("_batches");
    expect(batchPrice(both.deployments[0]!, usage)).toBeCloseTo(1000 * 0.000001 + 100 * 0.000002, 15);

    const fromInfo = resolve({ input_cost_per_token: 0.00001, output_cost_per_token: 0.00003 }, { input_cost_per_token_batches: 0.000004, output_cost_per_token_batches: 0.000005 });
    expect(batchPrice(fromInfo.deployments[0]!, usage)).toBeCloseTo(1000 * 0.000004 + 100 * 0.000005, 15);
    // litellm_params wins over model_info.
    const wins = resolve({ input_cost_per_token_batches: 0.000001, output_cost_per_token_batches: 0 }, { input_cost_per_token_batches: 0.5 });
    expect(batchPrice(wins.deployments[0]!, usage)).toBeCloseTo(1000 * 0.000001, 15);
  });

  it("a side without its batch price is half its live price; with neither, the whole line is", () => {
    const inputOnly = resolve({ input_cost_per_token: 0.00001, output_cost_per_token: 0.00003, input_cost_per_token_batches: 0.000001 });
    expect(batchPrice(inputOnly.deployments[0]!, usage)).toBeCloseTo(1000 * 0.000001 + (100 * 0.00003) / 2, 15);
    const neither = resolve({ input_cost_per_token: 0.00001, output_cost_per_token: 0.00003 });
    expect(batchPrice(neither.deployments[0]!, usage)).toBeCloseTo((1000 * 0.00001 + 100 * 0.00003) / 2, 15);
  });

  it("are validated like the other cost fields: a config error naming the field", () => {
    expect(resolve({ input_cost_per_token_batches: "cheap" }).error).toContain("input_cost_per_token_batches");
    expect(resolve({}, { output_cost_per_token_batches: "cheap" }).error).toContain("output_cost_per_token_batches");
  });
});

import { describe, expect, it } from "vitest";
import type { Deployment } from "../../src/config/deployment";
import { priceCall } from "../../src/spend/pricing";

const dep = (costs: Deployment["costs"], model = "house", provider = "openai"): Deployment => ({ id: "d", modelName: "m", provider, model, params: {}, costs });

describe("prices, worked by hand", () => {
  it("prices each token class at its own rate from the config", () => {
    const d = dep({ input: 1e-6, output: 4e-6, cacheRead: 0.1e-6, cacheWrite: 1.25e-6, reasoning: 8e-6 });
    // 1000 prompt tokens = 600 plain + 300 read from cache + 100 written to it;
    // 500 completion tokens = 200 plain + 300 reasoning.
    const cost = priceCall(d, { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cached_tokens: 300, cache_creation_tokens: 100, reasoning_tokens: 300 });
    expect(cost).toBeCloseTo(600 * 1e-6 + 300 * 0.1e-6 + 100 * 1.25e-6 + 200 * 4e-6 + 300 * 8e-6, 15);
  });

  it("falls back to the input and output rates for classes the config does not price", () => {
    const d = dep({ input: 2e-6, output: 3e-6 });
    expect(priceCall(d, { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, cached_tokens: 40, reasoning_tokens: 5 })).toBeCloseTo(100 * 2e-6 + 10 * 3e-6, 15);
  });

  it("prices from the maintained table, cache reads included, and answers null for an unknown model", () => {
    // claude-sonnet-4: $3/M input, $0.30/M cache read, $3.75/M cache write, $15/M output.
    const cost = priceCall(dep({}, "claude-sonnet-4-20250514", "anthropic"), { prompt_tokens: 2000, completion_tokens: 100, total_tokens: 2100, cached_tokens: 1000, cache_creation_tokens: 500 });
    expect(cost).toBeCloseTo((500 * 3 + 1000 * 0.3 + 500 * 3.75 + 100 * 15) / 1e6, 12);
    expect(priceCall(dep({}, "no-such-model-anywhere", "openai"), { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })).toBeNull();
  });

  it("prices an Azure deployment by model_info.base_model (its name is not a model id)", () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 };
    expect(priceCall(dep({}, "my-gpt-deployment", "azure"), usage)).toBeNull();
    const priced = priceCall({ ...dep({}, "my-gpt-deployment", "azure"), baseModel: "azure/gpt-4o-mini" }, usage);
    expect(priced).toBeCloseTo(priceCall(dep({}, "gpt-4o-mini", "azure"), usage)!, 15);
    expect(priced).toBeGreaterThan(0);
  });
});

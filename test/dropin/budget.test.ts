import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, post } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { answer, msgs } from "./helpers";

afterEach(resetUpstreams);

describe("tiny budgets", () => {
  it("a key below its max_budget gets its next call, then LiteLLM's 'Budget has been exceeded!' (400 budget_exceeded)", async () => {
    // One call costs 100 * 0.000001 + 50 * 0.000002 = 0.0002, twenty times the budget.
    fakeUpstream("https://dropin-a.test/v1", () => answer("ok"));
    const k = await newKey({ max_budget: 0.00001, key_alias: "tiny-budget" });
    const first = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs }, k.key);
    expect(first.status).toBe(200);
    await eventually(async () => {
      const info = await (await gw(`/key/info?key=${k.token}`)).json();
      return info.info.spend > 0;
    });
    const second = await eventually(async () => {
      const r = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs }, k.key);
      return r.status === 400 ? r : undefined;
    });
    const err = (await second.json()).error;
    expect(err.type).toBe("budget_exceeded");
    expect(err.code).toBe("budget_exceeded");
    expect(err.message).toMatch(/^Budget has been exceeded! Key=tiny-budget \(sk-\.\.\.[\w-]{4}\) Current cost: 0\.000\d+, Max budget: 1e-05$/);
    expect(received).toHaveLength(1);
  });
});

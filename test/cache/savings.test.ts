import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

/** Issue 15: what cache hits saved shows in /key/info and the spend reports. */
afterEach(() => resetUpstreams());

const UPSTREAM = "https://api.openai.test/v1";
const CFG = {
  model_list: [
    {
      model_name: "saver",
      litellm_params: { model: "openai/gpt-4o-mini", api_base: UPSTREAM, api_key: "os.environ/OPENAI_API_KEY", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
      model_info: { id: "saver-1" },
    },
  ],
  litellm_settings: { cache: true, cache_params: { type: "local" } },
};

describe("cache savings in reports", () => {
  it("a key's hits and what they saved: /key/info, /global/spend/report?group_by=api_key and group_by=model", async () => {
    fakeUpstream(UPSTREAM, () => chatAnswer({ content: "hi", prompt: 10, completion: 5, id: "c1" }));
    const k = await newKey();
    const body = JSON.stringify({ model: "saver", messages: [{ role: "user", content: `q-${crypto.randomUUID()}` }] });
    const call = () => withEnv({ GATEWAY_CONFIG: CFG as unknown as string }, "/v1/chat/completions", { method: "POST", body, key: k.key });
    expect((await call()).headers.get("x-cache")).toBe("MISS");
    for (let i = 0; i < 2; i++) expect((await call()).headers.get("x-cache")).toBe("HIT");
    // 10 prompt tokens at $1/M + 5 completion tokens at $2/M, saved twice.
    const info = await eventually(async () => {
      const r = (await (await gw(`/key/info?key=${k.token}`)).json()) as { info: { spend: number; cache_hits: number; total_saved_cost: number } };
      return r.info.cache_hits === 2 ? r.info : undefined;
    });
    expect(info.total_saved_cost).toBeCloseTo(0.00004, 12);
    expect(info.spend).toBeCloseTo(0.00002, 12);
    const today = new Date().toISOString().slice(0, 10);
    const keys = (await (await gw(`/global/spend/report?start_date=${today}&end_date=${today}&group_by=api_key`)).json()) as Array<{ api_key: string; cache_hits: number; total_saved_cost: number }>;
    expect(keys.find((r) => r.api_key === k.token)).toMatchObject({ cache_hits: 2, total_saved_cost: expect.closeTo(0.00004, 12) });
    const models = (await (await gw(`/global/spend/report?start_date=${today}&end_date=${today}&group_by=model`)).json()) as Array<{ model: string; cache_hits: number; requests: number }>;
    expect(models.find((r) => r.model === "saver")).toMatchObject({ requests: 3, cache_hits: 2 });
    // A key with no hits says so.
    const other = await newKey();
    expect((await (await gw(`/key/info?key=${other.token}`)).json()).info).toMatchObject({ cache_hits: 0, total_saved_cost: 0 });
  });
});

import { describe, expect, it } from "vitest";
import type { SpendEvent } from "../../src/spend/event";
import { writeSpend } from "../../src/spend/consumer";
import { env, gw, newKey, post } from "../helpers/gateway";

const at = (d: string) => Date.parse(`${d}T10:00:00Z`);
const base = { model: "m", deployment: "d", provider: "openai", prompt_tokens: 10, completion_tokens: 5, status: "success" } as const;
const ev = (id: string, day: string, extra: Partial<SpendEvent>): SpendEvent => ({
  ...base,
  request_id: id,
  api_key: "k1",
  model_group: "gpt",
  spend: 1,
  start_time: at(day),
  end_time: at(day),
  metadata: {},
  ...extra,
});
const range = "start_date=2025-05-01&end_date=2025-05-31";

describe("LiteLLM's spend report shapes", () => {
  it("group_by=team is the default: per day, teams by alias ('Unassigned Team' without one), each with its model/key metadata", async () => {
    const team = await (await post("/team/new", { team_alias: "research" })).json();
    await writeSpend(env, [
      ev("t-1", "2025-05-01", { team_id: team.team_id, spend: 0.25 }),
      ev("t-2", "2025-05-01", { team_id: team.team_id, api_key: "k2", model_group: "claude", spend: 0.5 }),
      ev("t-3", "2025-05-01", { team_id: null, spend: 2 }),
      ev("t-4", "2025-05-02", { team_id: team.team_id, spend: 1 }),
    ]);
    const byDefault = await (await gw(`/global/spend/report?${range}`)).json();
    expect(byDefault).toEqual(await (await gw(`/global/spend/report?${range}&group_by=team`)).json());
    expect(byDefault).toEqual([
      {
        group_by_day: "2025-05-01T00:00:00+00:00",
        teams: [
          { team_name: "Unassigned Team", total_spend: 2, total_saved_cost: 0, metadata: [{ model: "gpt", api_key: "k1", spend: 2, total_tokens: 15 }] },
          {
            team_name: "research",
            total_spend: 0.75,
            total_saved_cost: 0,
            metadata: [
              { model: "claude", api_key: "k2", spend: 0.5, total_tokens: 15 },
              { model: "gpt", api_key: "k1", spend: 0.25, total_tokens: 15 },
            ],
          },
        ],
      },
      { group_by_day: "2025-05-02T00:00:00+00:00", teams: [{ team_name: "research", total_spend: 1, total_saved_cost: 0, metadata: [{ model: "gpt", api_key: "k1", spend: 1, total_tokens: 15 }] }] },
    ]);
  });

  it("group_by=customer answers per day by end user; group_by=api_key per key with model_details (LiteLLM's source shape)", async () => {
    await writeSpend(env, [
      ev("c-1", "2025-05-10", { metadata: { user: "alice" }, spend: 0.5 }),
      ev("c-2", "2025-05-10", { metadata: { user: "bob" }, api_key: "k9", spend: 3 }),
      ev("c-3", "2025-05-10", { metadata: {}, api_key: "k9", model_group: "claude", spend: 1 }),
    ]);
    const customers = await (await gw("/global/spend/report?start_date=2025-05-10&end_date=2025-05-10&group_by=customer")).json();
    expect(customers).toEqual([
      {
        group_by_day: "2025-05-10T00:00:00+00:00",
        customers: [
          { customer: null, total_spend: 1, total_saved_cost: 0, metadata: [{ model: "claude", api_key: "k9", spend: 1, total_tokens: 15 }] },
          { customer: "alice", total_spend: 0.5, total_saved_cost: 0, metadata: [{ model: "gpt", api_key: "k1", spend: 0.5, total_tokens: 15 }] },
          { customer: "bob", total_spend: 3, total_saved_cost: 0, metadata: [{ model: "gpt", api_key: "k9", spend: 3, total_tokens: 15 }] },
        ],
      },
    ]);
    const keys = await (await gw("/global/spend/report?start_date=2025-05-10&end_date=2025-05-10&group_by=api_key")).json();
    expect(keys).toEqual([
      {
        api_key: "k9",
        total_cost: 4,
        total_input_tokens: 20,
        total_output_tokens: 10,
        cache_hits: 0,
        total_saved_cost: 0,
        model_details: [
          { model: "claude", total_cost: 1, total_input_tokens: 10, total_output_tokens: 5 },
          { model: "gpt", total_cost: 3, total_input_tokens: 10, total_output_tokens: 5 },
        ],
      },
      {
        api_key: "k1",
        total_cost: 0.5,
        total_input_tokens: 10,
        total_output_tokens: 5,
        cache_hits: 0,
        total_saved_cost: 0,
        model_details: [{ model: "gpt", total_cost: 0.5, total_input_tokens: 10, total_output_tokens: 5 }],
      },
    ]);
    const flat = await (await gw("/global/spend/report?start_date=2025-05-10&end_date=2025-05-10&group_by=model")).json();
    expect(flat[0]).toMatchObject({ model: "gpt", total_spend: 3.5 });
  });

  it("reports show what cache hits saved: cache_hits and total_saved_cost per group, per team and per key", async () => {
    const hit = (id: string, saved: number, extra: Partial<SpendEvent> = {}) =>
      ev(id, "2025-05-15", { spend: 0, api_key: "k5", metadata: { cache_hit: true, saved_cost: saved, tags: ["cached"] }, ...extra });
    await writeSpend(env, [hit("s-1", 0.25), hit("s-2", 0.5), ev("s-3", "2025-05-15", { api_key: "k5", spend: 0.75, metadata: { tags: ["cached"] } })]);
    const one = "start_date=2025-05-15&end_date=2025-05-15";
    const models = await (await gw(`/global/spend/report?${one}&group_by=model`)).json();
    expect(models).toEqual([
      { model: "gpt", total_spend: 0.75, requests: 3, prompt_tokens: 30, completion_tokens: 15, failed_requests: 0, unpriced_requests: 0, cache_hits: 2, total_saved_cost: 0.75 },
    ]);
    const tags = await (await gw(`/global/spend/report?${one}&group_by=tag`)).json();
    expect(tags[0]).toMatchObject({ tag: "cached", cache_hits: 2, total_saved_cost: 0.75 });
    const teams = await (await gw(`/global/spend/report?${one}&group_by=team`)).json();
    expect(teams[0].teams[0]).toMatchObject({ team_name: "Unassigned Team", total_spend: 0.75, total_saved_cost: 0.75 });
    const keys = await (await gw(`/global/spend/report?${one}&group_by=api_key`)).json();
    expect(keys[0]).toMatchObject({ api_key: "k5", total_cost: 0.75, cache_hits: 2, total_saved_cost: 0.75 });
    // A redelivered hit counts once.
    await writeSpend(env, [hit("s-1", 0.25)]);
    expect((await (await gw(`/global/spend/keys?${one}`)).json())[0]).toMatchObject({ api_key: "k5", cache_hits: 2, total_saved_cost: 0.75 });
  });

  it("/spend/tags and /global/spend/tags answer LiteLLM's shapes; /global/spend/tags needs its dates", async () => {
    await writeSpend(env, [ev("g-1", "2025-05-20", { metadata: { tags: ["prod", "chat"] }, spend: 0.123456 }), ev("g-2", "2025-05-20", { metadata: { tags: ["prod"] }, spend: 1 })]);
    const tags = await (await gw("/spend/tags?start_date=2025-05-20&end_date=2025-05-20")).json();
    expect(tags).toEqual([
      { individual_request_tag: "prod", log_count: 2, total_spend: 1.123456 },
      { individual_request_tag: "chat", log_count: 1, total_spend: 0.123456 },
    ]);
    const all = await (await gw("/spend/tags")).json();
    expect(all.find((t: { individual_request_tag: string }) => t.individual_request_tag === "chat")).toBeTruthy();
    const ui = await (await gw("/global/spend/tags?start_date=2025-05-20&end_date=2025-05-20&tags=chat")).json();
    expect(ui).toEqual({ spend_per_tag: [{ name: "chat", spend: 0.1235, log_count: 1 }] });
    const every = await (await gw("/global/spend/tags?start_date=2025-05-20&end_date=2025-05-20&tags=all-tags")).json();
    expect(every.spend_per_tag.map((t: { name: string }) => t.name)).toEqual(["prod", "chat"]);
    const missing = await gw("/global/spend/tags");
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.param).toBe("start_date");
    const k = await newKey();
    expect((await gw("/global/spend/tags?start_date=2025-05-20&end_date=2025-05-20", { key: k.key })).status).toBe(403);
  });
});

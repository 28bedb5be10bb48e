import { createExecutionContext, createScheduledController } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { SpendEvent } from "../../src/spend/event";
import { writeSpend } from "../../src/spend/consumer";
import { env, gw } from "../helpers/gateway";

const at = (d: string) => Date.parse(`${d}T10:00:00Z`);
const base = { model: "m", deployment: "d", prompt_tokens: 10, completion_tokens: 5, status: "success", metadata: {} } as const;
const events: SpendEvent[] = [
  {
    ...base,
    request_id: "r1",
    api_key: "k1",
    team_id: "t1",
    model_group: "gpt",
    provider: "openai",
    spend: 0.25,
    start_time: at("2026-03-01"),
    end_time: at("2026-03-01"),
    metadata: { user: "alice", tags: ["prod", "chat"] },
  },
  {
    ...base,
    request_id: "r2",
    api_key: "k2",
    team_id: "t1",
    model_group: "gpt",
    provider: "openai",
    spend: 0.5,
    start_time: at("2026-03-01"),
    end_time: at("2026-03-01"),
    metadata: { user: "bob", tags: ["prod"] },
  },
  {
    ...base,
    request_id: "r3",
    api_key: "k1",
    team_id: null,
    model_group: "claude",
    provider: "anthropic",
    spend: 1,
    start_time: at("2026-03-02"),
    end_time: at("2026-03-02"),
    metadata: { user: "alice" },
  },
  { ...base, request_id: "r4", api_key: "k2", team_id: null, model_group: "mystery", provider: "openai", spend: null, start_time: at("2026-03-02"), end_time: at("2026-03-02") },
  { ...base, request_id: "r5", api_key: "k2", team_id: null, model_group: "gpt", provider: "openai", spend: 0, status: "failure", start_time: at("2026-03-03"), end_time: at("2026-03-03") },
  { ...base, request_id: "r6", api_key: "k1", team_id: null, model_group: "gpt", provider: "openai", spend: 9, start_time: at("2026-04-01"), end_time: at("2026-04-01") },
];
const range = "start_date=2026-03-01&end_date=2026-03-31";

describe("spend reports", () => {
  it("group by day, key, team, model, provider, user and tag; every sum equals the rows", async () => {
    await writeSpend(env, events);
    const report = async (group: string) => (await gw(`/global/spend/report?${range}&group_by=${group}`)).json();
    expect(await report("day")).toEqual([
      expect.objectContaining({ day: "2026-03-02", total_spend: 1, requests: 2, unpriced_requests: 1 }),
      expect.objectContaining({ day: "2026-03-01", total_spend: 0.75, requests: 2 }),
      expect.objectContaining({ day: "2026-03-03", total_spend: 0, requests: 1, failed_requests: 1 }),
    ]);
    // api_key and team answer LiteLLM's shapes (test/dropin/spend-reports.test.ts checks them whole).
    expect(await report("api_key")).toEqual([expect.objectContaining({ api_key: "k1", total_cost: 1.25 }), expect.objectContaining({ api_key: "k2", total_cost: 0.5 })]);
    expect((await report("team"))[0]).toMatchObject({ group_by_day: "2026-03-01T00:00:00+00:00", teams: [expect.objectContaining({ team_name: "Unassigned Team", total_spend: 0.75 })] });
    expect((await report("model")).map((r: { model: string }) => r.model)).toEqual(["claude", "gpt", "mystery"]);
    expect(await report("provider")).toEqual([
      expect.objectContaining({ provider: "anthropic", total_spend: 1 }),
      expect.objectContaining({ provider: "openai", total_spend: 0.75, unpriced_requests: 1 }),
    ]);
    expect((await report("user")).find((r: { user: string }) => r.user === "alice")).toMatchObject({ total_spend: 1.25 });
    expect((await report("tag")).find((r: { tag: string }) => r.tag === "prod")).toMatchObject({ total_spend: 0.75, requests: 2 });
    const keys = await (await gw(`/global/spend/keys?${range}`)).json();
    expect(keys[0]).toMatchObject({ api_key: "k1", total_spend: 1.25 });
    const models = await (await gw(`/global/spend/models?${range}`)).json();
    expect(models[0]).toMatchObject({ model: "claude", total_spend: 1 });
  });

  it("refuses a bad group_by or date with a 400 naming it", async () => {
    const bad = await gw("/global/spend/report?group_by=planet");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.param).toBe("group_by");
    expect((await (await gw("/global/spend/report?start_date=2026-02-30")).json()).error.param).toBe("start_date");
  });

  it("a redelivered batch changes no rollup", async () => {
    const before = await (await gw(`/global/spend/report?${range}&group_by=api_key`)).json();
    await writeSpend(env, events);
    const after = await (await gw(`/global/spend/report?${range}&group_by=api_key`)).json();
    expect(after).toEqual(before);
  });

  it("retention deletes old spend_logs rows, and the reports (from the rollups) keep them", async () => {
    const old = Date.now() - 40 * 86_400_000;
    const day = new Date(old).toISOString().slice(0, 10);
    const now = Date.now();
    await writeSpend(env, [
      { ...base, request_id: "old-1", api_key: "k-old", team_id: null, model_group: "gpt", provider: "openai", spend: 2, start_time: old, end_time: old },
      { ...base, request_id: "new-1", api_key: "k-new", team_id: null, model_group: "gpt", provider: "openai", spend: 1, start_time: now, end_time: now },
    ]);
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, createExecutionContext());
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE request_id = 'old-1'").first<{ n: number }>();
    expect(row!.n).toBe(0);
    const report = await (await gw(`/global/spend/report?start_date=${day}&end_date=${day}&group_by=api_key`)).json();
    expect(report).toEqual([expect.objectContaining({ api_key: "k-old", total_cost: 2 })]);
    const recent = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE request_id = 'new-1'").first<{ n: number }>();
    expect(recent!.n).toBe(1);
  });
});

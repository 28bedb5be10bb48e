import { afterEach, describe, expect, it, vi } from "vitest";
import { env, eventually, gw, newKey, post, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, received, resetUpstreams, sse } from "../helpers/upstream";

// The test config's "priced" model: $0.000001 per prompt token, $0.000002 per completion token.
const MESSAGES = [{ role: "user", content: "x" }];
const PROMPT_ESTIMATE = Math.ceil(JSON.stringify(MESSAGES).length / 4); // 8 tokens
const completion = (prompt: number, out: number) => chatAnswer({ prompt, completion: out });
const chat = (key: string, extra: Record<string, unknown> = {}, model = "priced") => post("/v1/chat/completions", { model, messages: MESSAGES, ...extra }, key);
const settleTick = () => new Promise((r) => setTimeout(r, 30));

afterEach(() => {
  resetUpstreams();
  vi.useRealTimers();
});

describe("key limits", () => {
  it("tpm_limit counts tokens when calls settle and refuses with the tokens headers", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(100, 500));
    const k = await newKey({ tpm_limit: 1000 });
    expect((await chat(k.key)).status).toBe(200);
    await settleTick();
    const second = await chat(k.key);
    expect(second.status).toBe(200);
    expect(second.headers.get("x-ratelimit-limit-tokens")).toBe("1000");
    expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe("400");
    await settleTick();
    const third = await chat(k.key);
    expect(third.status).toBe(429);
    expect(third.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
    expect(third.headers.get("retry-after")).toBeTruthy();
    expect((await third.json()).error.message).toContain("1000 tokens per minute");
  });

  it("6 simultaneous slow calls on max_parallel_requests: 2 admit exactly 2; a finished call frees its lease", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    fakeUpstream("https://api.openai.test/v1", async () => {
      await gate;
      return completion(1, 1);
    });
    const k = await newKey({ max_parallel_requests: 2 });
    const calls = Array.from({ length: 6 }, () => chat(k.key, {}, "gpt-4o-mini"));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const statuses = (await Promise.all(calls)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    await settleTick();
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(200);
  });

  it("model_rpm_limit limits one model and not another", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(1, 1));
    const k = await newKey({ model_rpm_limit: { "gpt-4o-mini": 1 } });
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(200);
    const limited = await chat(k.key, {}, "gpt-4o-mini");
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.message).toContain("gpt-4o-mini");
    expect((await chat(k.key, {}, "priced")).status).toBe(200);
  });
});

describe("budgets", () => {
  it("50 simultaneous calls against a budget that fits 4.5 admit at most 5 (the fifth holds what is left), and spend stays within one call of it", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002; // the reservation and the real cost
    const k = await newKey({ max_budget: perCall * 4 + perCall / 2 });
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(k.key, { max_tokens: 1000 })));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeLessThanOrEqual(5);
    expect(ok.length).toBeGreaterThan(0);
    const refused = results.find((r) => r.status === 400)!;
    expect(await refused.json()).toMatchObject({ error: { type: "budget_exceeded", code: "budget_exceeded", message: expect.stringMatching(/^Budget has been exceeded! Key=/) } });
    const info = await eventually(async () => {
      const i = (await (await gw(`/key/info?key=${k.token}`)).json()).info;
      return i.spend >= perCall * ok.length - 1e-12 ? i : undefined;
    });
    // The guarantee: never more than one call's cost beyond its reservation over the budget.
    expect(info.spend).toBeLessThanOrEqual(perCall * 4 + perCall / 2 + perCall);
    expect(info.spend).toBeCloseTo(perCall * ok.length, 10);
    expect(info.current_period_spend).toBeCloseTo(perCall * ok.length, 10);
  });

  it("a budget resets when its period ends, and budget_reset_at says when", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 24, 12, 0, 0));
    const k = await newKey({ max_budget: perCall * 1.5, budget_duration: "1h" });
    expect(k.budget_reset_at).toBe("2026-11-24T13:00:00.000Z");
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    // Spend (1 call) is below the budget (1.5 calls): the next call holds the half that is left.
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    const over = await chat(k.key, { max_tokens: 1000 });
    expect(over.status).toBe(400);
    expect(over.headers.get("x-gateway-budget-reset-at")).toBe("2026-11-24T13:00:00.000Z");
    vi.setSystemTime(Date.UTC(2026, 10, 24, 13, 0, 1));
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    const info = (await (await gw(`/key/info?key=${k.token}`)).json()).info;
    expect(info.budget_reset_at).toBe("2026-11-24T14:00:00.000Z");
  });

  it("temp_budget_increase raises the budget until its expiry; reset_spend clears the period's spend", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    const k = await newKey({ max_budget: perCall * 1.5 });
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(400);
    await post("/key/update", { key: k.key, temp_budget_increase: perCall, temp_budget_expiry: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(400);
    const reset = await post(`/key/${k.token}/reset_spend`, {});
    expect((await reset.json()).current_period_spend).toBe(0);
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
  });

  it("model_max_budget bounds one model of a key", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    const k = await newKey({ model_max_budget: { priced: { budget_limit: perCall * 1.5, time_period: "1d" } } });
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    const over = await chat(k.key, { max_tokens: 1000 });
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toContain(" Model=priced ");
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(200);
  });

  it("a soft budget lets calls pass and records an alert, posted to the webhook", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const hooks: unknown[] = [];
    fakeUpstream("https://hooks.test/budget", (_r, body) => {
      hooks.push(JSON.parse(body));
      return new Response("ok");
    });
    const cfg = `${env.GATEWAY_CONFIG}\n` as string;
    const k = await newKey({ soft_budget: 0.000001 });
    const res = await withEnv({ GATEWAY_CONFIG: cfg.replace("general_settings:", "general_settings:\n  alerting: [webhook]"), WEBHOOK_URL: "https://hooks.test/budget" }, "/v1/chat/completions", {
      method: "POST",
      key: k.key,
      body: JSON.stringify({ model: "priced", messages: MESSAGES }),
    });
    expect(res.status).toBe(200);
    const alert = await eventually(async () => (await env.DB.prepare("SELECT * FROM budget_alerts WHERE subject = ?").bind(`key:${k.token}`).first()) ?? undefined);
    expect(alert).toMatchObject({ kind: "soft_budget_crossed", budget: 0.000001 });
    expect(hooks).toEqual([expect.objectContaining({ event: "soft_budget_crossed", subject: `key:${k.token}` })]);
  });

  it("a gateway-wide model budget (litellm_settings.model_max_budget) binds the master key too", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    const cfg = (env.GATEWAY_CONFIG as string).replace("litellm_settings:", `litellm_settings:\n  model_max_budget:\n    priced: {budget_limit: ${perCall * 1.5}, time_period: 1d}`);
    const call = () => withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "priced", messages: MESSAGES, max_tokens: 1000 }) });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const over = await call();
    expect(over.status).toBe(400);
    expect((await over.json()).error.message).toContain("Model=priced ");
  });
});

describe("teams", () => {
  it("a team budget binds two keys together, and /team/info shows the spend", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    const team = await (await post("/team/new", { team_alias: "eng", max_budget: perCall * 3.5, models: ["priced", "gpt-4o-mini"] })).json();
    expect(team).toMatchObject({ team_alias: "eng", max_budget: perCall * 3.5 });
    const a = await newKey({ team_id: team.team_id });
    const b = await newKey({ team_id: team.team_id });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => chat(i % 2 ? a.key : b.key, { max_tokens: 1000 })));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeLessThanOrEqual(4);
    expect(ok).toBeGreaterThan(0);
    const refused = results.find((r) => r.status === 400)!;
    expect((await refused.json()).error.message).toContain(`Team=${team.team_id} `);
    const info = await eventually(async () => {
      const i = await (await gw(`/team/info?team_id=${team.team_id}`)).json();
      return i.team_info.spend >= perCall * ok - 1e-12 ? i : undefined;
    });
    expect(info.team_info.spend).toBeCloseTo(perCall * ok, 10);
    expect(info.keys.map((k: { token: string }) => k.token).sort()).toEqual([a.token, b.token].sort());
    // The team's model list binds its keys as well, in calls and in /v1/models.
    const denied = await chat(a.key, {}, "gpt-4o");
    expect(denied.status).toBe(403);
    const listed = (await (await gw("/v1/models", { key: a.key })).json()).data.map((m: { id: string }) => m.id);
    expect(listed.sort()).toEqual(["gpt-4o-mini", "priced"]);
  });

  it("team routes: new, update, list, delete (its keys are refused from the next call)", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(1, 1));
    const t = await (await post("/team/new", { team_id: "t-crud", rpm_limit: 1 })).json();
    expect(t.team_id).toBe("t-crud");
    expect((await post("/team/new", { team_id: "t-crud" })).status).toBe(400);
    const k = await newKey({ team_id: "t-crud" });
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(200);
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(429);
    const upd = await (await post("/team/update", { team_id: "t-crud", rpm_limit: 100 })).json();
    expect(upd.rpm_limit).toBe(100);
    expect((await chat(k.key, {}, "gpt-4o-mini")).status).toBe(200);
    const list = await (await gw("/team/list")).json();
    expect(list.map((x: { team_id: string }) => x.team_id)).toContain("t-crud");
    expect((await post("/team/delete", { team_ids: ["t-crud"] })).status).toBe(200);
    const after = await chat(k.key, {}, "gpt-4o-mini");
    expect(after.status).toBe(401);
    expect((await post("/key/generate", { team_id: "no-such-team" })).status).toBe(400);
    expect((await gw("/team/info?team_id=t-crud")).status).toBe(404);
  });
});

describe("key lifecycle", () => {
  it("block and unblock take effect on the very next call; regenerate keeps limits and spend", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion(PROMPT_ESTIMATE, 1000));
    const perCall = PROMPT_ESTIMATE * 0.000001 + 1000 * 0.000002;
    const k = await newKey({ max_budget: perCall * 2.5, rpm_limit: 50 });
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await post("/key/block", { key: k.key });
    const blocked = await chat(k.key);
    expect(blocked.status).toBe(401);
    expect((await blocked.json()).error.message).toContain("blocked");
    await post("/key/unblock", { key: k.key });
    expect((await chat(k.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    const fresh = await (await post("/key/regenerate", { key: k.key })).json();
    expect(fresh).toMatchObject({ max_budget: perCall * 2.5, rpm_limit: 50 });
    // Two calls were spent under the old key: the new key has half a call left, then nothing.
    expect((await chat(fresh.key, { max_tokens: 1000 })).status).toBe(200);
    await settleTick();
    expect((await chat(fresh.key, { max_tokens: 1000 })).status).toBe(400);
    expect((await chat(k.key)).status).toBe(401);
  });

  it("a stream the client abandons releases its lease and is charged for what was streamed", async () => {
    const piece = (content: string) => ({ id: "s", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    let cancelled = false;
    fakeUpstream("https://api.openai.test/v1", () => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent++ < 2) controller.enqueue(new TextEncoder().encode(sse([piece("x".repeat(400))], false)));
          else await new Promise((r) => setTimeout(r, 5000));
        },
        cancel() {
          cancelled = true;
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
    const k = await newKey({ max_parallel_requests: 1 });
    const res = await chat(k.key, { stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    expect((await chat(k.key)).status).toBe(429); // the stream still holds the only lease
    await reader.cancel();
    await eventually(async () => cancelled);
    await settleTick();
    fakeUpstream("https://api.openai.test/v1", () => completion(1, 1));
    expect((await chat(k.key)).status).toBe(200);
    const row = await eventually(async () => ((await (await gw(`/spend/logs?api_key=${k.token}`)).json()) as Array<Record<string, any>>).find((r) => r.status === "cancelled"));
    expect(row.completion_tokens).toBe(200); // 800 characters streamed
    expect(row.metadata.usage).toBe("estimated");
    expect(row.spend).toBeCloseTo(PROMPT_ESTIMATE * 0.000001 + 200 * 0.000002, 12);
    void received;
  });
});

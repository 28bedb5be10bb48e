import { afterEach, describe, expect, it } from "vitest";
import { parseChatRequest } from "../../src/api/chat";
import { loadConfig } from "../../src/config/load";
import { findKey } from "../../src/db/keys";
import { db } from "../../src/db/client";
import { callModel } from "../../src/gateway/pipeline";
import type { CallContext, CallHooks, ModelCall } from "../../src/gateway/types";
import type { Principal } from "../../src/http/auth";
import { chatCall } from "../../src/gateway/calls/chat";
import type { SpendEvent } from "../../src/spend/event";
import { guardOf, setGuardTimeout } from "../../src/limits/guard-client";
import { keyState, keySubject } from "../../src/limits/subjects";
import { env, newKey } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

afterEach(() => resetUpstreams());

const completion = () => chatAnswer({ content: "from upstream", prompt: 3, completion: 2, id: "c1" });

/** A call context with no HTTP request around it, as a batch line runs. */
async function context(principal: Principal, hooks?: CallHooks): Promise<{ cx: CallContext; settle: () => Promise<void> }> {
  const pending: Promise<unknown>[] = [];
  const config = await loadConfig(env, (p) => pending.push(p));
  const cx: CallContext = { env, config, principal, requestId: crypto.randomUUID(), waitUntil: (p) => pending.push(p), clientHeaders: new Headers(), hooks };
  return { cx, settle: async () => void (await Promise.allSettled(pending)) };
}

const keyPrincipal = async (fields: Record<string, unknown>): Promise<Principal> => {
  const k = await newKey(fields);
  return { kind: "key", key: (await findKey(db(env.DB), k.token))! };
};

const hello = (model = "gpt-4o-mini") => parseChatRequest({ model, messages: [{ role: "user", content: "hi" }] });

describe("callModel: the one pipeline, without an HTTP request", () => {
  it("runs a call for a batch line: admits, routes, answers, and records spend", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const events: SpendEvent[] = [];
    const { cx, settle } = await context({ kind: "master" }, { finish: (_c, e) => events.push(e) });
    const res = await callModel(cx, chatCall(hello()));
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe("from upstream");
    await settle();
    expect(events).toEqual([expect.objectContaining({ request_id: cx.requestId, status: "success", prompt_tokens: 3, completion_tokens: 2, model_group: "gpt-4o-mini" })]);
  });

  it("a lookup hook answers instead of the upstream (a cache hit), for $0", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const before = received.length;
    const events: SpendEvent[] = [];
    const hooks: CallHooks = {
      lookup: async (call) =>
        call.route === "chat"
          ? { answer: { json: JSON.stringify({ id: "cached", choices: [] }), usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }, headers: { "x-cache": "HIT" } }
          : null,
      finish: (_c, e) => events.push(e),
    };
    const { cx, settle } = await context({ kind: "master" }, hooks);
    const res = await callModel(cx, chatCall(hello()));
    expect(res.headers.get("x-cache")).toBe("HIT");
    expect(res.headers.get("x-gateway-cost")).toBe("0");
    expect((await res.json()).id).toBe("cached");
    expect(received.length).toBe(before);
    await settle();
    expect(events[0]).toMatchObject({ spend: 0, status: "success", metadata: expect.objectContaining({ cache_hit: true }) });
  });

  it("store sees a complete answer; attempt sees every try, a retry included", async () => {
    let n = 0;
    fakeUpstream("https://api.openai.test/v1", () => (n++ === 0 ? json({ error: { message: "overloaded" } }, 503) : completion()));
    const stored: string[] = [];
    const attempts: number[] = [];
    const { cx } = await context({ kind: "master" }, { store: (_c, a) => stored.push(a.json), attempt: (_c, r) => attempts.push(r.status) });
    const res = await callModel(cx, chatCall(hello()));
    expect(res.status).toBe(200);
    expect(attempts).toEqual([503, 200]);
    expect(stored).toHaveLength(1);
  });

  it("a throw after admission releases the call's lease and reservation (nothing stays pinned)", async () => {
    const principal = await keyPrincipal({ max_parallel_requests: 1, max_budget: 1 });
    const broken: ModelCall = { ...chatCall(hello("priced")), attempt: () => Promise.reject(new TypeError("a bug in a surface")) };
    const first = await context(principal);
    await expect(callModel(first.cx, broken)).rejects.toThrow("a bug in a surface");
    await first.settle();
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const second = await context(principal);
    const res = await callModel(second.cx, chatCall(hello("priced")));
    expect(res.status).toBe(200);
    await second.settle();
  });
});

describe("a guard that fails", () => {
  it("fails closed: 503 guard_unavailable with retry-after, and nothing reaches the upstream", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const before = received.length;
    const principal = await keyPrincipal({ rpm_limit: 100 });
    const { cx } = await context(principal);
    const broken = {
      idFromName: (n: string) => env.KEY_GUARD.idFromName(n),
      get: () => ({ admit: () => Promise.reject(new Error("Durable Object reset because its code was updated")) }),
    } as unknown as typeof env.KEY_GUARD;
    const err = await callModel({ ...cx, env: { ...env, KEY_GUARD: broken } }, chatCall(hello())).catch((e) => e);
    expect(err).toMatchObject({ status: 503, code: "guard_unavailable", headers: { "retry-after": "1" } });
    expect(received.length).toBe(before);
  });

  it("a guard that never answers fails closed the same way once the guard timeout passes", async () => {
    fakeUpstream("https://api.openai.test/v1", () => completion());
    const before = received.length;
    const principal = await keyPrincipal({ rpm_limit: 100 });
    const { cx } = await context(principal);
    const hanging = {
      idFromName: (n: string) => env.KEY_GUARD.idFromName(n),
      get: () => ({ admit: () => new Promise(() => {}) }),
    } as unknown as typeof env.KEY_GUARD;
    setGuardTimeout(50);
    try {
      const err = await callModel({ ...cx, env: { ...env, KEY_GUARD: hanging } }, chatCall(hello())).catch((e) => e);
      expect(err).toMatchObject({ status: 503, code: "guard_unavailable", headers: { "retry-after": "1" } });
    } finally {
      setGuardTimeout(5_000);
    }
    expect(received.length).toBe(before);
  });

  it("a settle delivered twice (a flush retried after a timeout) is charged once", async () => {
    const k = await newKey({ max_budget: 10 });
    const row = (await findKey(db(env.DB), k.token))!;
    const guard = guardOf(env, keySubject(row.token));
    await guard.configure(keyState(row), Date.now());
    const admitted = await guard.admit({ id: "twice-1", model: "gpt-4o-mini", reserve: 1, now: Date.now() });
    expect(admitted.ok).toBe(true);
    const charge = { id: "twice-1", model: "gpt-4o-mini", cost: 0.25, tokens: 10, now: Date.now() };
    await guard.settleAll([charge]);
    await guard.settleAll([charge]);
    const view = await guard.view();
    expect(view.spend).toBeCloseTo(0.25, 10);
    expect(view.reserved).toBe(0);
  });
});

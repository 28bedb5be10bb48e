import { afterEach, describe, expect, it } from "vitest";
import { newKey, openai, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

const ok = () => chatAnswer({ id: "x" });

afterEach(resetUpstreams);

describe("rpm_limit", () => {
  it("admits exactly the limit out of 40 simultaneous calls, and refuses the rest with 429", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey({ rpm_limit: 10 });
    const results = await Promise.all(Array.from({ length: 40 }, () => post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }, k.key)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(received).toHaveLength(10);

    const refused = results.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("10");
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(refused.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+m)?\d+s$/);
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_exceeded", code: "rate_limit_exceeded" } });

    const admitted = results.filter((r) => r.status === 200);
    const remaining = admitted.map((r) => Number(r.headers.get("x-ratelimit-remaining-requests"))).sort((a, b) => a - b);
    expect(remaining).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(admitted[0]!.headers.get("x-ratelimit-limit-requests")).toBe("10");
  });

  it("the openai client sees a RateLimitError with the headers", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey({ rpm_limit: 1 });
    const client = openai(k.key);
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] });
    const err = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.constructor.name).toBe("RateLimitError");
    expect(err.headers.get("retry-after")).toBeTruthy();
  });

  it("a key without a limit is not limited, and an updated limit holds from the next call", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey();
    const free = await Promise.all(Array.from({ length: 15 }, () => post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }, k.key)));
    expect(free.every((r) => r.status === 200)).toBe(true);
    expect(free[0]!.headers.get("x-ratelimit-limit-requests")).toBeNull();
    await post("/key/update", { key: k.key, rpm_limit: 0 });
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }, k.key);
    expect(res.status).toBe(429);
  });
});

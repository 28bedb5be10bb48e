import { describe, expect, it } from "vitest";
import { db } from "../../src/db/client";
import { findAuthKey } from "../../src/db/keys";
import type { KeyRow } from "../../src/db/schema";
import { cacheKey, cachedKey, forgetKey, MISS_TTL_MS } from "../../src/limits/key-cache";
import { env, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

const row = (token: string) => ({ token, teamId: null }) as unknown as KeyRow;

describe("the key cache under random-key spraying", () => {
  it("unknown keys are remembered in their own bounded cache: they never evict known keys", () => {
    const now = 1_000_000;
    cacheKey("known", row("known"), now);
    for (let i = 0; i < 50_000; i++) cacheKey(`random-${i}`, null, now);
    expect(cachedKey("known", now)).toEqual(row("known"));
    // The most recent misses are still remembered (a repeated random key costs no lookup).
    expect(cachedKey("random-49999", now)).toBeNull();
    forgetKey("known");
  });

  it("a miss is remembered only briefly", () => {
    const now = 2_000_000;
    cacheKey("gone-soon", null, now);
    expect(cachedKey("gone-soon", now + MISS_TTL_MS - 1)).toBeNull();
    expect(cachedKey("gone-soon", now + MISS_TTL_MS + 1)).toBeUndefined();
  });

  it("a key created after its miss was cached is found once forgotten (key/generate forgets the token)", () => {
    cacheKey("later", null);
    forgetKey("later");
    expect(cachedKey("later")).toBeUndefined();
  });
});

describe("a key cached by another isolate before /key/update", () => {
  it("is reloaded when its guard knows a newer version: the new team's limits apply, not the old team's", async () => {
    fakeUpstream("https://api.openai.test/v1", () => chatAnswer({ id: "x" }));
    const t1 = await (await post("/team/new", { rpm_limit: 1 })).json<{ team_id: string }>();
    const t2 = await (await post("/team/new", {})).json<{ team_id: string }>();
    const k = await newKey({ team_id: t1.team_id });
    const chat = () => post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }, k.key);
    expect((await chat()).status).toBe(200);
    const stale = await findAuthKey(db(env.DB), k.token);
    await new Promise((r) => setTimeout(r, 5)); // updated_at moves on
    expect((await post("/key/update", { key: k.key, team_id: t2.team_id })).status).toBe(200);
    // Another isolate still holds the row it cached before the update.
    cacheKey(k.token, stale!);
    expect((await chat()).status).toBe(200);
    resetUpstreams();
  });
});

import { describe, expect, it } from "vitest";
import type { KeyRow } from "../../src/db/schema";
import { cacheKey, cachedKey, forgetKey, MISS_TTL_MS } from "../../src/limits/key-cache";

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

import { describe, expect, it } from "vitest";
import type { AuthKeyRow } from "../../src/db/keys";
import { applyAliases } from "../../src/identity/aliases";

const key = (aliases: Record<string, string> | null, teamModelAliases: Record<string, string> | null = null) => ({ kind: "key", key: { aliases, teamModelAliases } as AuthKeyRow }) as const;

describe("applyAliases", () => {
  it("the key's aliases win over its team's; an unknown model is unchanged; no chaining", () => {
    const p = key({ "gpt-4": "gpt-4o-mini" }, { "gpt-4": "priced", fast: "gpt-4" });
    expect(applyAliases(p, "gpt-4")).toBe("gpt-4o-mini");
    expect(applyAliases(p, "fast")).toBe("gpt-4");
    expect(applyAliases(p, "other")).toBe("other");
  });

  it("the master key has none, and prototype names are never aliases", () => {
    expect(applyAliases({ kind: "master" }, "gpt-4")).toBe("gpt-4");
    const p = key(JSON.parse('{"a":"b"}'));
    expect(applyAliases(p, "__proto__")).toBe("__proto__");
    expect(applyAliases(p, "constructor")).toBe("constructor");
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, openai } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

/** Generous bounds for what a trimmed field may keep (the exact ones are src/spend/bounds.ts's). */
const MAX_USER_CHARS = 300;
const MAX_TAG_CHARS = 300;

const completion = {
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

async function rowsOf(token: string): Promise<any[]> {
  return (await gw(`/spend/logs?api_key=${token}`)).json();
}

describe("spend: one request cannot stop spend logging", () => {
  it("a 300 KB tag and a 300 KB user are trimmed and marked; that call and every later one are logged", async () => {
    fakeUpstream("https://api.openai.test/v1", () => json(completion));
    const k = await newKey();
    const client = openai(k.key);
    const huge = "t".repeat(300_000);
    await client.chat.completions.create({ model: "priced", messages: [{ role: "user", content: "hi" }], user: "u".repeat(300_000), metadata: { tags: [huge, "ok"] } } as never);
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "priced", messages: [{ role: "user", content: "hi" }], metadata: { tags: ["later"] } } as never);
    const rows = await eventually(async () => {
      const r = await rowsOf(k.token);
      return r.length === 4 ? r : undefined;
    }, 8000);
    const big = rows.find((r) => r.metadata.truncated);
    expect(big).toBeDefined();
    expect(big.metadata.user.length).toBeLessThanOrEqual(MAX_USER_CHARS + 20);
    expect(big.metadata.tags[0].length).toBeLessThanOrEqual(MAX_TAG_CHARS + 20);
    expect(big.metadata.tags[1]).toBe("ok");
    expect(rows.filter((r) => r.metadata.tags?.[0] === "later")).toHaveLength(3);
  });
});

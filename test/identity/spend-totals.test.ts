import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, resetUpstreams } from "../helpers/upstream";

/** Issue 12: the spend totals of internal users, organizations and end users follow their calls (D1, by the spend consumer). */
afterEach(resetUpstreams);

describe("spend totals beyond keys and teams", () => {
  it("a call adds its cost to its key's user, its team's organization and its end user", async () => {
    fakeUpstream("https://api.openai.test/v1", () => chatAnswer({ prompt: 100, completion: 50 }));
    const tag = crypto.randomUUID().slice(0, 8);
    expect((await post("/user/new", { user_id: `u-${tag}`, auto_create_key: false })).status).toBe(200);
    expect((await post("/organization/new", { organization_id: `o-${tag}` })).status).toBe(200);
    expect((await post("/team/new", { team_id: `t-${tag}`, organization_id: `o-${tag}` })).status).toBe(200);
    expect((await post("/team/member_add", { team_id: `t-${tag}`, member: [{ user_id: `u-${tag}`, role: "user" }] })).status).toBe(200);
    expect((await post("/customer/new", { user_id: `e-${tag}` })).status).toBe(200);
    const k = await newKey({ user_id: `u-${tag}`, team_id: `t-${tag}` });
    const res = await post("/v1/chat/completions", { model: "priced", user: `e-${tag}`, messages: [{ role: "user", content: "hi" }] }, k.key);
    expect(res.status).toBe(200);
    // 100 x $1/M + 50 x $2/M
    const cost = 0.0002;
    const userSpend = await eventually(async () => {
      const info = await (await gw(`/user/info?user_id=u-${tag}`)).json<{ user_info: { spend: number } }>();
      return info.user_info.spend > 0 && info.user_info.spend;
    });
    expect(userSpend).toBeCloseTo(cost, 12);
    const org = await eventually(async () => {
      const info = await (await gw(`/organization/info?organization_id=o-${tag}`)).json<{ spend: number }>();
      return info.spend > 0 && info.spend;
    });
    expect(org).toBeCloseTo(cost, 12);
    const endUser = await eventually(async () => {
      const info = await (await gw(`/customer/info?end_user_id=e-${tag}`)).json<{ spend: number }>();
      return info.spend > 0 && info.spend;
    });
    expect(endUser).toBeCloseTo(cost, 12);
  });
});

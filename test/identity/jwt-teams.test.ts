import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetPrincipalCache } from "../../src/identity/jwt/cache";
import { resetJwksCache } from "../../src/identity/jwt/jwks";
import { eventually, gw, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { chatWith, completion, fakeIdp, jwtConfig, jwtEnv, signer, token, type Signer } from "./jwt-helpers";

let k1: Signer;

beforeAll(async () => {
  k1 = await signer("teams-k1");
  await post("/team/new", { team_id: "tf-mini", models: ["gpt-4o-mini"] });
  await post("/team/new", { team_id: "tf-mini-2", models: ["gpt-4o-mini"] });
  await post("/team/new", { team_id: "tf-4o", models: ["gpt-4o"] });
  await post("/team/new", { team_id: "tf-alias", models: ["gpt-4o"], model_aliases: { fast: "gpt-4o" } });
});
beforeEach(() => {
  resetJwksCache();
  resetPrincipalCache();
  fakeIdp(() => [k1.jwk]);
  fakeUpstream("https://api.openai.test/v1", () => completion());
});
afterEach(resetUpstreams);

const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; code: string } }).error;

/** The api_key label (jwt:<user>@<team>) the call's spend row carries. */
async function spentAs(res: Response): Promise<unknown> {
  const id = res.headers.get("x-request-id");
  const rows = await eventually(async () => {
    const r = ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as Array<{ request_id: string; api_key: string }>).filter((x) => x.request_id === id);
    return r.length ? r : undefined;
  });
  return rows[0]?.api_key;
}

describe("JWT teams: team_id_upsert and the team_ids_jwt_field fallback", () => {
  it("team_id_upsert creates the token's team on first use, with no limits of its own", async () => {
    const cfg = jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", team_id_upsert: true }));
    const res = await chatWith(cfg, await token(k1, { client_id: "tf-upserted" }));
    expect(res.status).toBe(200);
    const info = (await (await gw("/team/info?team_id=tf-upserted")).json()) as { team_info: Record<string, unknown> };
    expect(info.team_info).toMatchObject({ team_id: "tf-upserted", models: [], max_budget: null, rpm_limit: null, metadata: { created_by: "jwt" } });
    // Used again, the team is found (not created twice).
    expect((await chatWith(cfg, await token(k1, { client_id: "tf-upserted", n: 2 }))).status).toBe(200);
    // The team the x-litellm-team-id header picks among the token's teams is created too.
    const multi = jwtEnv(jwtConfig({ team_ids_jwt_field: "groups", team_id_upsert: true }));
    const picked = await chatWith(multi, await token(k1, { groups: ["tf-mini", "tf-header-new"] }), {}, { "x-litellm-team-id": "tf-header-new" });
    expect(picked.status).toBe(200);
    expect((await gw("/team/info?team_id=tf-header-new")).status).toBe(200);

    // Without it, a missing team is a 401 naming the option; a malformed value is a config error.
    const off = await chatWith(jwtEnv(jwtConfig({ team_id_jwt_field: "client_id" })), await token(k1, { client_id: "tf-never" }));
    expect(off.status).toBe(401);
    expect((await errorOf(off)).message).toMatch(/team 'tf-never' \(client_id\) does not exist.*team_id_upsert/);
    expect((await gw("/team/info?team_id=tf-never")).status).toBe(404);
    const bad = await chatWith(jwtEnv(jwtConfig({ team_id_jwt_field: "client_id", team_id_upsert: "yes" })), "sk-test-master");
    expect(bad.status).toBe(503);
    expect((await errorOf(bad)).message).toMatch(/litellm_jwtauth\.team_id_upsert: must be true or false/);
  });

  it("with several teams in the token, the first one that may call the requested model acts", async () => {
    const cfg = jwtEnv(jwtConfig({ team_ids_jwt_field: "groups" }));
    const t = await token(k1, { groups: ["tf-missing", "tf-mini", "tf-4o"] });
    const toMini = await chatWith(cfg, t, { model: "gpt-4o-mini" });
    expect(toMini.status).toBe(200);
    const to4o = await chatWith(cfg, t, { model: "gpt-4o" });
    expect(to4o.status).toBe(200);
    expect(await spentAs(toMini)).toBe("jwt:@tf-mini");
    expect(await spentAs(to4o)).toBe("jwt:@tf-4o");
    // A team's model alias counts as a model it may call.
    const alias = await chatWith(cfg, await token(k1, { groups: ["tf-mini", "tf-alias"] }), { model: "fast" });
    expect(alias.status).toBe(200);
    expect(await spentAs(alias)).toBe("jwt:@tf-alias");

    // None of the token's teams may call the model: 403 naming them, nothing sent upstream.
    const none = await chatWith(cfg, await token(k1, { groups: ["tf-mini", "tf-mini-2"] }), { model: "gpt-4o" });
    expect(none.status).toBe(403);
    const err = await errorOf(none);
    expect(err.code).toBe("key_model_access_denied");
    expect(err.message).toMatch(/No team of this token may call the model 'gpt-4o' \(checked: tf-mini, tf-mini-2\)/);
    // A call that names no model (GET /v1/models) acts for the first team.
    const models = (await (await withEnv(cfg, "/v1/models", { key: t })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(["gpt-4o-mini"]);
  });
});

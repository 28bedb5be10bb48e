import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { newKey, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";
import { completion } from "./jwt-helpers";

const dep = (name: string, groups?: string[]) => ({
  model_name: name,
  litellm_params: { model: `openai/${name}`, api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" },
  model_info: { id: `${name}-1`, ...(groups ? { access_groups: groups } : {}) },
});
const CFG = {
  GATEWAY_CONFIG: stringify({ model_list: [dep("beta-a", ["beta"]), dep("beta-b", ["beta", "labs"]), dep("plain")], router_settings: { model_group_alias: { "beta-alias": "beta-b" } } }),
};

const chat = (key: string, model: string) => withEnv(CFG, "/v1/chat/completions", { method: "POST", key, body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });
const ids = async (key: string, query = "") => ((await (await withEnv(CFG, `/v1/models${query}`, { key })).json()) as { data: Array<{ id: string }> }).data.map((m) => m.id).sort();

beforeEach(() => fakeUpstream("https://api.openai.test/v1", () => completion()));
afterEach(resetUpstreams);

describe("model_info.access_groups", () => {
  it("a key whose models name an access group may call every model group in it, and no other", async () => {
    const k = await newKey({ models: ["beta"] });
    expect((await chat(k.key, "beta-a")).status).toBe(200);
    expect((await chat(k.key, "beta-b")).status).toBe(200);
    expect((await chat(k.key, "beta-alias")).status).toBe(200);
    const denied = await chat(k.key, "plain");
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("key_model_access_denied");
    expect(await ids(k.key)).toEqual(["beta-a", "beta-alias", "beta-b"]);
    expect(await ids(k.key, "?only_model_access_groups=true")).toEqual(["beta"]);
    const info = (await (await withEnv(CFG, "/model/info", { key: k.key })).json()) as { data: Array<{ model_name: string; model_info: { access_groups?: string[] } }> };
    expect(info.data.map((d) => d.model_name).sort()).toEqual(["beta-a", "beta-b"]);
    expect(info.data.find((d) => d.model_name === "beta-b")?.model_info.access_groups).toEqual(["beta", "labs"]);
  });

  it("a team's models naming a group bound its keys the same way; the group name is no model of its own", async () => {
    const team = await (await post("/team/new", { models: ["labs"] })).json();
    const k = await newKey({ team_id: team.team_id });
    expect((await chat(k.key, "beta-b")).status).toBe(200);
    expect((await chat(k.key, "beta-a")).status).toBe(403);
    expect((await chat(k.key, "labs")).status).toBe(404);
    expect(await ids(k.key)).toEqual(["beta-alias", "beta-b"]);
    expect(await ids(k.key, "?only_model_access_groups=true")).toEqual(["labs"]);
  });
});

import { describe, expect, it } from "vitest";
import { db } from "../../src/db/client";
import { findKey } from "../../src/db/keys";
import { findTeam } from "../../src/db/teams";
import { env, gw, post } from "../helpers/gateway";

const SECRET = "sk-lf-kept-secret";
const logging = [
  { callback_name: "langfuse", callback_type: "success_and_failure", callback_vars: { langfuse_public_key: "pk-lf-kept", langfuse_secret_key: SECRET, langfuse_host: "https://lf-kept.test" } },
];
type Entry = { callback_name: string; callback_vars: Record<string, string> };
const stored = (metadata: Record<string, unknown> | undefined) => (metadata?.logging ?? []) as Entry[];
const sealedSecret = (metadata: Record<string, unknown> | undefined) => stored(metadata)[0]?.callback_vars.langfuse_secret_key;

describe("an update's metadata without `logging` keeps the stored logging and its encrypted credentials", () => {
  it("/key/update", async () => {
    const gen = await (await post("/key/generate", { metadata: { logging, team: "a" } })).json<{ token: string }>();
    const before = sealedSecret((await findKey(db(env.DB), gen.token))?.metadata);
    expect(before).toBeTruthy();
    expect(before).not.toBe(SECRET);

    // LiteLLM replaces the other metadata fields; the logging config is never dropped silently.
    const upd = await post("/key/update", { key: gen.token, metadata: { team: "b" } });
    expect(upd.status).toBe(200);
    const row = await findKey(db(env.DB), gen.token);
    expect(row?.metadata.team).toBe("b");
    expect(sealedSecret(row?.metadata)).toBe(before);
    const info = await (await gw(`/key/info?key=${gen.token}`)).json<{ info: { metadata: Record<string, unknown> } }>();
    expect(stored(info.info.metadata)[0]?.callback_vars.langfuse_secret_key).toBe("***REDACTED***");

    // `metadata: null` clears the rest, not the logging.
    await post("/key/update", { key: gen.token, metadata: null });
    const cleared = await findKey(db(env.DB), gen.token);
    expect(cleared?.metadata.team).toBeUndefined();
    expect(sealedSecret(cleared?.metadata)).toBe(before);

    // Naming it removes it.
    await post("/key/update", { key: gen.token, metadata: { logging: [] } });
    expect(stored((await findKey(db(env.DB), gen.token))?.metadata)).toEqual([]);
  });

  it("/team/update", async () => {
    const team = await (await post("/team/new", { metadata: { logging, owner: "x" } })).json<{ team_id: string }>();
    const before = sealedSecret((await findTeam(db(env.DB), team.team_id))?.metadata);
    expect(before).toBeTruthy();
    expect((await post("/team/update", { team_id: team.team_id, metadata: { owner: "y" } })).status).toBe(200);
    const row = await findTeam(db(env.DB), team.team_id);
    expect(row?.metadata.owner).toBe("y");
    expect(sealedSecret(row?.metadata)).toBe(before);
  });
});

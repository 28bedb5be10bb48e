import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, gw, newKey, post, withEnv } from "../helpers/gateway";
import { at, fakeSinks, SINK_URLS } from "../helpers/sinks";
import { chatAnswer, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

// No callback of the gateway's own: only the keys' and teams' metadata.logging export anything.
const CONFIG = `
model_list:
  - model_name: tenant-traced
    litellm_params:
      model: openai/m-tt
      api_base: https://tt.test/v1
      api_key: k
    model_info:
      id: tt
`;
const TENANT_LANGFUSE = "https://tenant-lf.test";
const TENANT_HOOK = "https://tenant-hook.test/ingest";
const LF_SECRET = "sk-lf-tenant-a-very-secret";
const HOOK_SECRET = "Bearer team-hook-secret-42";

const answer = () => chatAnswer({ id: "chatcmpl-t" });
const call = async (key: string) => {
  const res = await withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", key, body: JSON.stringify({ model: "tenant-traced", messages: [{ role: "user", content: "x" }] }) });
  expect(res.status).toBe(200);
  return res.headers.get("x-request-id")!;
};
const langfuseLogging = (vars: Record<string, unknown> = {}) => [
  {
    callback_name: "langfuse",
    callback_type: "success_and_failure",
    callback_vars: { langfuse_public_key: "pk-lf-tenant-a", langfuse_secret_key: LF_SECRET, langfuse_host: TENANT_LANGFUSE, ...vars },
  },
];
/** The request ids a tenant Langfuse endpoint received generations for. */
const langfuseIds = () =>
  at(`${TENANT_LANGFUSE}/api/public/ingestion`).flatMap((r) =>
    r
      .json<{ batch: Array<{ type: string; body: { id: string } }> }>()
      .batch.filter((e) => e.type === "generation-create")
      .map((e) => e.body.id),
  );
const spendRow = (id: string) => eventually(async () => ((await (await gw(`/spend/logs?request_id=${id}`)).json()) as unknown[]).length === 1);

function tenantSinks() {
  fakeSinks();
  fakeUpstream("https://tt.test/v1", answer);
  fakeUpstream(TENANT_LANGFUSE, () => json({ successes: [], errors: [] }, 207));
  fakeUpstream(TENANT_HOOK, () => new Response("ok"));
}

afterEach(resetUpstreams);

describe("key-based logging", () => {
  it("a key's own Langfuse gets only that key's calls, with its Basic auth; the secret is never shown back", async () => {
    tenantSinks();
    const gen = await post("/key/generate", { key_alias: "tenant-a", metadata: { logging: langfuseLogging(), team: "a" } });
    expect(gen.status).toBe(200);
    const a = await gen.json<{ key: string; token: string }>();
    const b = await newKey({ key_alias: "tenant-b" });

    const idB = await call(b.key);
    const idA = await call(a.key);
    await eventually(async () => langfuseIds().includes(idA));
    await spendRow(idB);
    expect(langfuseIds()).not.toContain(idB);
    const req = at(`${TENANT_LANGFUSE}/api/public/ingestion`)[0]!;
    expect(req.headers.authorization).toBe(`Basic ${btoa(`pk-lf-tenant-a:${LF_SECRET}`)}`);
    // The gateway's own Langfuse (configured in the bindings) is not used for a tenant's sink, nor is any other sink.
    expect(at(SINK_URLS.langfuse)).toEqual([]);

    // Stored encrypted; never in an admin answer.
    const stored = await env.DB.prepare("SELECT metadata FROM keys WHERE token = ?").bind(a.token).first<{ metadata: string }>();
    expect(stored!.metadata).not.toContain(LF_SECRET);
    expect(stored!.metadata).toContain("enc:v1:");
    const answers = [
      JSON.stringify(gen),
      await (await gw(`/key/info?key=${a.token}`)).text(),
      await (await gw("/key/list?return_full_object=true&size=100")).text(),
      await (await gw(`/key/info?key=${a.key}`, { key: a.key })).text(),
    ];
    for (const text of answers) expect(text).not.toContain(LF_SECRET);
    const info = await (await gw(`/key/info?key=${a.token}`)).json<{ info: { metadata: { logging: Array<{ callback_vars: Record<string, string> }>; team: string } } }>();
    expect(info.info.metadata.team).toBe("a");
    expect(info.info.metadata.logging[0]!.callback_vars).toEqual({ langfuse_public_key: "pk-lf-tenant-a", langfuse_secret_key: "***REDACTED***", langfuse_host: TENANT_LANGFUSE });

    // Sending the masked metadata back (read, change, write) keeps the stored secret.
    const upd = await post("/key/update", { key: a.token, metadata: { ...info.info.metadata, team: "a2" } });
    expect(upd.status).toBe(200);
    expect(await upd.text()).not.toContain(LF_SECRET);
    const idA2 = await call(a.key);
    await eventually(async () => langfuseIds().includes(idA2));
    expect(at(`${TENANT_LANGFUSE}/api/public/ingestion`).every((r) => r.headers.authorization === `Basic ${btoa(`pk-lf-tenant-a:${LF_SECRET}`)}`)).toBe(true);
  });

  it("bad callback names and variables are a 400 naming the field", async () => {
    const bad = async (logging: unknown) => {
      const res = await post("/key/generate", { metadata: { logging } });
      expect(res.status).toBe(400);
      return (await res.json<{ error: { param: string; message: string; code: string } }>()).error;
    };
    expect((await bad([{ callback_name: "helicone", callback_vars: {} }])).param).toBe("metadata.logging[0].callback_name");
    expect((await bad([{ callback_name: "s3", callback_vars: {} }])).param).toBe("metadata.logging[0].callback_name");
    expect((await bad([{ callback_name: "langfuse", callback_vars: { langfuse_public_key: "pk" } }])).param).toBe("metadata.logging[0].callback_vars.langfuse_secret_key");
    expect((await bad([{ callback_name: "langfuse", callback_vars: { langfuse_public_key: "pk", langfuse_secret_key: "sk", langfuse_colour: "red" } }])).param).toBe(
      "metadata.logging[0].callback_vars.langfuse_colour",
    );
    expect((await bad(langfuseLogging({ langfuse_host: "not a url" }))).param).toBe("metadata.logging[0].callback_vars.langfuse_host");
    expect((await bad([{ ...langfuseLogging()[0], callback_type: "sometimes" }])).param).toBe("metadata.logging[0].callback_type");
    expect((await bad([...langfuseLogging(), ...langfuseLogging()])).param).toBe("metadata.logging[1].callback_name");
    expect((await bad("langfuse")).param).toBe("metadata.logging");
    const old = await post("/key/generate", { metadata: { callback_settings: { success_callback: ["langfuse"] } } });
    expect(old.status).toBe(400);
    expect((await old.json<{ error: { param: string } }>()).error.param).toBe("metadata.callback_settings");
    const e = await bad([{ callback_name: "otel", callback_vars: { otel_endpoint: 7 } }]);
    expect(e).toMatchObject({ param: "metadata.logging[0].callback_vars.otel_endpoint", code: "invalid_request_error" });
  });

  it("a key's own otel sink gets its spans with its own headers, and its upstream calls carry a traceparent", async () => {
    tenantSinks();
    fakeUpstream("https://tenant-otel.test", () => json({ partialSuccess: {} }));
    const a = await newKey({ metadata: { logging: [{ callback_name: "otel", callback_vars: { otel_endpoint: "https://tenant-otel.test/v1/traces", otel_headers: "x-tenant-token=tok-9" } }] } });
    const plain = await newKey();
    await call(plain.key);
    const id = await call(a.key);
    const upstream = received.filter((r) => r.url.startsWith("https://tt.test/v1"));
    expect(upstream.map((r) => !!r.headers.traceparent)).toEqual([false, true]);
    const req = await eventually(async () => at("https://tenant-otel.test/v1/traces").find((r) => r.body.includes(id)));
    expect(req.headers["x-tenant-token"]).toBe("tok-9");
    expect(at(SINK_URLS.otel)).toEqual([]);
  });

  it("a failing tenant sink parks only its own batches, under its own sink identity", async () => {
    tenantSinks();
    fakeUpstream(TENANT_LANGFUSE, () => new Response("unauthorized", { status: 401 }));
    const a = await newKey({ metadata: { logging: langfuseLogging() } });
    const id = await call(a.key);
    const sink = `langfuse@key:${a.token}`;
    const letters = await eventually(async () => {
      const list = (await (await gw(`/callbacks/dead_letters?sink=${encodeURIComponent(sink)}`)).json()) as Array<{ sink: string; request_ids: string[]; error: string }>;
      return list.length > 0 && list;
    });
    expect(letters).toEqual([expect.objectContaining({ sink, request_ids: [id] })]);
    expect(letters[0]!.error).not.toContain(LF_SECRET);
    expect(((await (await gw("/callbacks/dead_letters?sink=langfuse")).json()) as unknown[]).length).toBe(0);
    expect((await gw("/callbacks/dead_letters?sink=langfuse@nobody")).status).toBe(400);
  });
});

describe("team-based logging", () => {
  it("POST /team/{id}/callback adds a sink for the team's keys; GET masks it; a key's own logging wins; disable_logging stops it", async () => {
    tenantSinks();
    const team = await (await post("/team/new", { team_alias: "logged-team" })).json<{ team_id: string }>();
    const add = await post(`/team/${team.team_id}/callback`, {
      callback_name: "generic_api",
      callback_type: "success",
      callback_vars: { generic_logger_endpoint: TENANT_HOOK, generic_logger_headers: `authorization=${HOOK_SECRET}` },
    });
    expect(add.status).toBe(200);
    const added = await add.text();
    expect(added).not.toContain("team-hook-secret-42");
    expect(JSON.parse(added)).toMatchObject({ status: "success", data: { team_id: team.team_id, success_callbacks: ["generic_api"], failure_callbacks: [] } });

    const member = await newKey({ team_id: team.team_id });
    const own = await newKey({ team_id: team.team_id, metadata: { logging: langfuseLogging() } });
    const idMember = await call(member.key);
    const idOwn = await call(own.key);
    const hook = await eventually(async () => at(TENANT_HOOK).find((r) => r.body.includes(idMember)));
    expect(hook.headers.authorization).toBe(HOOK_SECRET);
    expect(hook.json<Array<{ id: string }>>().map((p) => p.id)).toEqual([idMember]);
    // The key with its own logging goes to its own sink instead of its team's.
    await eventually(async () => langfuseIds().includes(idOwn));
    expect(at(TENANT_HOOK).some((r) => r.body.includes(idOwn))).toBe(false);

    const view = await gw(`/team/${team.team_id}/callback`);
    const viewed = await view.text();
    expect(viewed).not.toContain("team-hook-secret-42");
    expect(JSON.parse(viewed).data.callback_vars).toEqual({ generic_logger_endpoint: TENANT_HOOK, generic_logger_headers: "***REDACTED***" });
    expect(await (await gw(`/team/info?team_id=${team.team_id}`)).text()).not.toContain("team-hook-secret-42");
    expect(await (await gw("/team/list")).text()).not.toContain("team-hook-secret-42");

    const dup = await post(`/team/${team.team_id}/callback`, { callback_name: "generic_api", callback_vars: { generic_logger_endpoint: TENANT_HOOK } });
    expect(dup.status).toBe(400);
    const badVar = await post(`/team/${team.team_id}/callback`, { callback_name: "langfuse", callback_vars: { langfuse_public_key: "pk", langfuse_secret_key: "sk", langfuse_host: "ftp://x" } });
    expect(badVar.status).toBe(400);
    expect((await badVar.json<{ error: { param: string } }>()).error.param).toBe("callback_vars.langfuse_host");
    expect((await gw("/team/no-such-team/callback")).status).toBe(404);

    const off = await post(`/team/${team.team_id}/disable_logging`, {});
    expect(await off.json()).toMatchObject({ status: "success", data: { success_callbacks: [], failure_callbacks: [] } });
    const before = at(TENANT_HOOK).length;
    const idAfter = await call(member.key);
    // A later call that is exported shows the consumer has passed the one before it.
    const idLater = await call(own.key);
    await eventually(async () => langfuseIds().includes(idLater));
    await spendRow(idAfter);
    expect(at(TENANT_HOOK).length).toBe(before);
    expect(received.some((r) => r.url.startsWith(TENANT_HOOK) && r.body.includes(idAfter))).toBe(false);
  });

  it("a team's admin manages its own team's callbacks, without reading the gateway's bindings (os.environ/ is for proxy admins)", async () => {
    const lead = await (await post("/user/new", { user_id: "log-lead", user_role: "internal_user_viewer" })).json<{ key: string }>();
    const team = await (await post("/team/new", { team_id: "t-logging", members_with_roles: [{ role: "admin", user_id: "log-lead" }] })).json<{ team_id: string }>();
    const other = await (await post("/team/new", { team_alias: "not-led" })).json<{ team_id: string }>();
    const hook = (endpoint: string) => ({ callback_name: "webhook", callback_vars: { generic_logger_endpoint: endpoint, generic_logger_headers: "os.environ/OPENAI_API_KEY" } });
    const refused = await post(`/team/${team.team_id}/callback`, hook(TENANT_HOOK), lead.key);
    expect(refused.status).toBe(400);
    expect((await refused.json<{ error: { param: string } }>()).error.param).toBe("callback_vars.generic_logger_headers");
    expect((await post(`/team/${other.team_id}/callback`, { callback_name: "webhook", callback_vars: { generic_logger_endpoint: TENANT_HOOK } }, lead.key)).status).toBe(403);
    expect((await post(`/team/${team.team_id}/callback`, { callback_name: "webhook", callback_vars: { generic_logger_endpoint: TENANT_HOOK } }, lead.key)).status).toBe(200);
    expect((await post(`/team/${other.team_id}/callback`, hook(TENANT_HOOK))).status).toBe(200);
  });
});

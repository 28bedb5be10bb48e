import { describe, expect, it } from "vitest";
import { env, gw, newKey, openai, post } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { afterEach } from "vitest";

const ok = () => chatAnswer({ id: "x" });
const chat = (key: string, model = "gpt-4o-mini", headers: Record<string, string> = {}) =>
  gw("/v1/chat/completions", { method: "POST", key: null, headers: { authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });

async function sha256(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

afterEach(resetUpstreams);

describe("virtual keys", () => {
  it("generates an sk- key shown once and stores only its SHA-256", async () => {
    const k = await newKey({ key_alias: "team-a", models: ["gpt-4o-mini"], rpm_limit: 5, metadata: { owner: "a" } });
    expect(k.key).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
    expect(k.token).toBe(await sha256(k.key));
    expect(k).toMatchObject({ key_alias: "team-a", models: ["gpt-4o-mini"], rpm_limit: 5, metadata: { owner: "a" }, expires: null, spend: 0 });
    const rows = await env.DB.prepare("SELECT * FROM keys WHERE token = ?").bind(k.token).all();
    expect(JSON.stringify(rows.results)).not.toContain(k.key);
    expect(rows.results[0]).toMatchObject({ key_name: `sk-...${k.key.slice(-4)}` });
  });

  it("accepts the key from Bearer, x-api-key, api-key and x-litellm-api-key", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey();
    for (const h of ["x-api-key", "api-key", "x-litellm-api-key"]) {
      const res = await gw("/v1/chat/completions", { method: "POST", key: null, headers: { [h]: k.key }, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] }) });
      expect(res.status, h).toBe(200);
    }
    expect((await chat(k.key)).status).toBe(200);
  });

  it("refuses a missing or unknown key with 401 invalid_api_key", async () => {
    const none = await gw("/v1/chat/completions", { method: "POST", key: null, body: "{}" });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "invalid_api_key", type: "authentication_error" } });
    const bad = await chat("sk-not-a-real-key");
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe("invalid_api_key");
  });

  it("admin routes take only the master key", async () => {
    const k = await newKey();
    const res = await post("/key/generate", {}, k.key);
    expect(res.status).toBe(403);
    expect((await res.json()).error.type).toBe("permission_error");
  });

  it("refuses a model outside the key's list with 403 and no upstream call", async () => {
    const k = await newKey({ models: ["gpt-4o-mini"] });
    const res = await chat(k.key, "gpt-4o");
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("key_model_access_denied");
    expect(received).toHaveLength(0);
  });

  it("lists only the key's models on /v1/models", async () => {
    const k = await newKey({ models: ["gpt-4o-mini", "priced"] });
    const models = await openai(k.key).models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(["gpt-4o-mini", "priced"]);
    const all = await openai().models.list();
    expect(all.data.map((m) => m.id)).toEqual(expect.arrayContaining(["gpt-4o-mini", "gpt-4o", "local-llama", "priced"]));
    expect(all.data[0]).toMatchObject({ object: "model", owned_by: expect.any(String) });
  });

  it("names unsupported and unknown fields in a 400", async () => {
    const a = await post("/key/generate", { guardrails: ["g1"] });
    expect(a.status).toBe(400);
    expect(await a.json()).toMatchObject({ error: { param: "guardrails", message: expect.stringContaining("not supported yet") } });
    const b = await post("/key/generate", { colour: "red" });
    expect((await b.json()).error.param).toBe("colour");
    const c = await post("/key/generate", { rpm_limit: -1 });
    expect((await c.json()).error.param).toBe("rpm_limit");
    const d = await post("/key/generate", { duration: "soon" });
    expect((await d.json()).error.param).toBe("duration");
    const e = await gw("/key/generate", { method: "POST", body: "{not json" });
    expect(e.status).toBe(400);
  });

  it("/key/info: the master key reads any key by raw key or token; a key reads only its own", async () => {
    const a = await newKey({ key_alias: "a" });
    const b = await newKey({ key_alias: "b" });
    const byToken = await (await gw(`/key/info?key=${a.token}`)).json();
    const byRaw = await (await gw(`/key/info?key=${a.key}`)).json();
    expect(byToken).toEqual(byRaw);
    expect(byToken).toMatchObject({ key: a.token, info: { key_alias: "a", spend: 0, models: [], blocked: false, budget_reset_at: null } });
    const own = await gw("/key/info", { key: a.key });
    expect((await own.json()).key).toBe(a.token);
    const other = await gw(`/key/info?key=${b.token}`, { key: a.key });
    expect(other.status).toBe(403);
    const missing = await gw(`/key/info?key=sk-nope`);
    expect(missing.status).toBe(404);
  });

  it("/key/update changes the model list for the very next call", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey({ models: ["gpt-4o-mini"] });
    expect((await chat(k.key)).status).toBe(200);
    const upd = await post("/key/update", { key: k.key, models: ["priced"], key_alias: "renamed" });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toMatchObject({ models: ["priced"], key_alias: "renamed" });
    expect((await chat(k.key)).status).toBe(403);
    expect((await post("/key/update", { key: "sk-unknown", models: [] })).status).toBe(404);
  });

  it("/key/delete revokes at once, even where the key is cached", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey();
    expect((await chat(k.key)).status).toBe(200); // now cached in this isolate
    const del = await post("/key/delete", { keys: [k.key] });
    expect(await del.json()).toEqual({ deleted_keys: [k.key] });
    const after = await chat(k.key);
    expect(after.status).toBe(401);
    expect((await post("/key/delete", { keys: [k.key] })).status).toBe(404);
    expect((await post("/key/delete", {})).status).toBe(400);
  });

  it("/key/regenerate: a new raw key with the same record; the old one is refused at once", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey({ key_alias: "rot", models: ["gpt-4o-mini"], rpm_limit: 100 });
    expect((await chat(k.key)).status).toBe(200);
    const res = await post("/key/regenerate", { key: k.key });
    expect(res.status).toBe(200);
    const fresh = await res.json();
    expect(fresh.key).not.toBe(k.key);
    expect(fresh).toMatchObject({ key_alias: "rot", models: ["gpt-4o-mini"], rpm_limit: 100 });
    expect((await chat(k.key)).status).toBe(401);
    expect((await chat(fresh.key)).status).toBe(200);
    const again = await post(`/key/${fresh.token}/regenerate`, {});
    expect(again.status).toBe(200);
    expect((await chat(fresh.key)).status).toBe(401);
  });

  it("an expired key gets 401", async () => {
    fakeUpstream("https://api.openai.test/v1", ok);
    const k = await newKey({ duration: "1s" });
    expect((await chat(k.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const res = await chat(k.key);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain("expired");
  });

  it("/key/list pages through tokens, or full objects", async () => {
    for (let i = 0; i < 3; i++) await newKey({ key_alias: `list-${i}` });
    const page = await (await gw("/key/list?page=1&size=2")).json();
    expect(page.keys).toHaveLength(2);
    expect(typeof page.keys[0]).toBe("string");
    expect(page.current_page).toBe(1);
    expect(page.total_pages).toBe(Math.ceil(page.total_count / 2));
    const full = await (await gw("/key/list?size=100&return_full_object=true")).json();
    expect(full.keys[0]).toHaveProperty("key_alias");
    expect(full.keys.length).toBeGreaterThan(2);
    expect((await gw("/key/list?size=0")).status).toBe(400);
  });

  it("/key/list?return_full_object=true answers each key's own budget_reset_at (not its place in the list)", async () => {
    const plain = [await newKey({ key_alias: "list-plain-a" }), await newKey({ key_alias: "list-plain-b" })];
    const budgeted = await newKey({ key_alias: "list-budgeted", max_budget: 5, budget_duration: "1h" });
    const info = (await (await gw(`/key/info?key=${budgeted.token}`)).json()).info;
    expect(info.budget_reset_at).toMatch(/^20\d\d-/);
    const full = (await (await gw("/key/list?size=100&return_full_object=true")).json()) as { keys: Array<{ token: string; budget_reset_at: string | null }> };
    const of = (token: string) => full.keys.find((k) => k.token === token)!;
    expect(of(budgeted.token).budget_reset_at).toBe(info.budget_reset_at);
    for (const k of plain) expect(of(k.token).budget_reset_at).toBeNull();
    // Every key without a budget period: none at all.
    expect(full.keys.filter((k) => k.budget_reset_at !== null && k.token !== budgeted.token).every((k) => !k.budget_reset_at!.startsWith("1970"))).toBe(true);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { env, eventually, gw, newKey, openai, post, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

const ok = (content: string) => () => chatAnswer({ content, id: "x" });

afterEach(resetUpstreams);

describe("model admin API", () => {
  it("adds a model that serves at once, stores its key encrypted and never returns it", async () => {
    fakeUpstream("https://runtime.test/v1", ok("from runtime model"));
    const res = await post("/model/new", {
      model_name: "runtime-model",
      litellm_params: { model: "openai/rt-1", api_base: "https://runtime.test/v1", api_key: "sk-runtime-secret-value-123" },
      model_info: { id: "rt-1" },
    });
    expect(res.status).toBe(200);
    const created = await res.json();
    expect(created).toMatchObject({ model_id: "rt-1", model_name: "runtime-model", model_info: { id: "rt-1", db_model: true } });
    expect(JSON.stringify(created)).not.toContain("sk-runtime-secret");

    const row = await env.DB.prepare("SELECT litellm_params FROM models WHERE id = 'rt-1'").first<{ litellm_params: string }>();
    expect(row!.litellm_params).not.toContain("sk-runtime-secret");
    expect(row!.litellm_params).toContain("enc:v1:");

    const answer = await openai().chat.completions.create({ model: "runtime-model", messages: [{ role: "user", content: "x" }] });
    expect(answer.choices[0]!.message.content).toBe("from runtime model");
    expect(received[0]!.headers.authorization).toBe("Bearer sk-runtime-secret-value-123");

    const info = await (await gw("/model/info?litellm_model_id=rt-1")).json();
    expect(info.data).toEqual([expect.objectContaining({ model_name: "runtime-model", model_info: expect.objectContaining({ id: "rt-1", db_model: true }) })]);
    expect(JSON.stringify(info)).not.toContain("sk-runtime-secret");
    const all = await (await gw("/model/info")).json();
    expect(all.data.map((m: { model_info: { id: string } }) => m.model_info.id)).toEqual(expect.arrayContaining(["oai-mini", "rt-1"]));
    expect(JSON.stringify(all)).not.toContain("sk-upstream-secret");
    expect((await (await gw("/v1/models")).json()).data.map((m: { id: string }) => m.id)).toContain("runtime-model");
  });

  it("updates and deletes a stored model; config models are refused with a clear 400", async () => {
    fakeUpstream("https://runtime2.test/v1", ok("v2"));
    await post("/model/new", { model_name: "rt-upd", litellm_params: { model: "openai/a", api_base: "https://runtime.test/v1", api_key: "sk-secret-abcdefgh" }, model_info: { id: "rt-upd" } });
    const upd = await post("/model/update", { model_info: { id: "rt-upd" }, litellm_params: { api_base: "https://runtime2.test/v1" } });
    expect(upd.status).toBe(200);
    const answer = await openai().chat.completions.create({ model: "rt-upd", messages: [{ role: "user", content: "x" }] });
    expect(answer.choices[0]!.message.content).toBe("v2");
    expect(received[0]!.headers.authorization).toBe("Bearer sk-secret-abcdefgh");

    expect((await post("/model/update", { model_info: { id: "oai-mini" }, model_name: "x" })).status).toBe(400);
    expect((await post("/model/delete", { id: "oai-mini" })).status).toBe(400);
    expect((await post("/model/delete", { id: "nope" })).status).toBe(404);
    const del = await post("/model/delete", { id: "rt-upd" });
    expect(del.status).toBe(200);
    const gone = await post("/v1/chat/completions", { model: "rt-upd", messages: [{ role: "user", content: "x" }] });
    expect(gone.status).toBe(404);
  });

  it("refuses a bad model with a 400 naming the problem, and takes only the master key", async () => {
    const bad = await post("/model/new", { model_name: "x", litellm_params: { model: "nosuch/thing" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain("nosuch");
    const missing = await post("/model/new", { litellm_params: { model: "openai/x" } });
    expect((await missing.json()).error.param).toBe("model_name");
    const dup = await post("/model/new", { model_name: "x", litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "oai-mini" } });
    expect(dup.status).toBe(400);
    const k = await newKey();
    expect((await post("/model/new", { model_name: "x", litellm_params: { model: "openai/x" } }, k.key)).status).toBe(403);
  });

  it("will not store a plaintext secret without the encryption key", async () => {
    const res = await withEnv({ SWITCHYARD_SALT_KEY: undefined }, "/model/new", {
      method: "POST",
      body: JSON.stringify({ model_name: "x", litellm_params: { model: "openai/x", api_key: "sk-plain-secret-1234" } }),
    });
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toContain("SWITCHYARD_SALT_KEY");
    const byRef = await withEnv({ SWITCHYARD_SALT_KEY: undefined }, "/model/new", {
      method: "POST",
      body: JSON.stringify({ model_name: "by-ref", litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY" }, model_info: { id: "by-ref" } }),
    });
    expect(byRef.status).toBe(200);
    await post("/model/delete", { id: "by-ref" });
  });

  it("a model another isolate added becomes visible here within seconds", async () => {
    fakeUpstream("https://elsewhere.test/v1", ok("elsewhere"));
    expect((await gw("/v1/models")).status).toBe(200); // this isolate has read the stored models
    // Another isolate's /model/new: the row appears in D1 without this isolate being told.
    await env.DB.prepare("INSERT INTO models (id, model_name, litellm_params, model_info, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?)")
      .bind("other-iso", "other-isolate-model", JSON.stringify({ model: "openai/o", api_base: "https://elsewhere.test/v1", api_key: "os.environ/OPENAI_API_KEY" }), Date.now(), Date.now())
      .run();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 6_000);
      await gw("/v1/models"); // starts the background refresh
      const seen = await eventually(async () => {
        const ids = (await (await gw("/v1/models")).json()).data.map((m: { id: string }) => m.id);
        return ids.includes("other-isolate-model");
      });
      expect(seen).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

import { describe, expect, it } from "vitest";
import { MASTER, newKey, withEnv } from "../helpers/gateway";

/** A D1 binding that is down: every call fails the way a lost connection does. */
const down = () => {
  const fail = () => {
    throw new Error("D1_ERROR: Network connection lost.");
  };
  const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
  return { prepare: () => statement, batch: fail, exec: fail, dump: fail, withSession: () => ({ prepare: () => statement, batch: fail }) } as unknown as D1Database;
};

async function unavailable(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  const body = await res.json<{ error: { type: string; code: string; message: string } }>();
  expect(body.error.code).toBe("database_unavailable");
  expect(body.error.message).not.toContain("Network connection lost");
}

const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] });

describe("D1 unreachable: a clear 503, never a 500 and never an open door", () => {
  it("auth with a virtual key this isolate has not cached", async () => {
    const res = await withEnv({ DB: down() }, "/v1/chat/completions", { method: "POST", body: chat, key: "sk-never-seen-by-this-isolate-0123456789" });
    await unavailable(res);
  });

  it("admin routes with the master key", async () => {
    await unavailable(await withEnv({ DB: down() }, "/key/list"));
    await unavailable(await withEnv({ DB: down() }, "/key/generate", { method: "POST", body: "{}" }));
    await unavailable(await withEnv({ DB: down() }, "/team/list"));
    await unavailable(await withEnv({ DB: down() }, "/spend/logs"));
    await unavailable(
      await withEnv({ DB: down() }, "/model/new", { method: "POST", body: JSON.stringify({ model_name: "x", litellm_params: { model: "openai/x", api_key: "os.environ/OPENAI_API_KEY" } }) }),
    );
  });

  it("/v1/messages answers in Anthropic's shape", async () => {
    const res = await withEnv({ DB: down() }, "/v1/messages", {
      method: "POST",
      body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
      key: "sk-another-unseen-key-0123456789abcdef",
    });
    expect(res.status).toBe(503);
    const body = await res.json<{ type: string; error: { type: string } }>();
    expect(body.type).toBe("error");
  });

  it("a key-info read by a virtual key is refused with 503, not let through", async () => {
    const k = await newKey();
    const res = await withEnv({ DB: down() }, "/key/info", { key: k.key });
    expect(res.status).not.toBe(200);
    expect(res.status).not.toBe(500);
    void MASTER;
  });
});

describe("D1 unreachable when the stored models are read", () => {
  it("the config's models keep serving; the error is listed at readiness for the master key", async () => {
    const { forgetDbModels } = await import("../../src/config/db-models");
    forgetDbModels();
    const ready = await withEnv({ DB: down(), GATEWAY_CONFIG: "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_key: k}\n" }, "/health/readiness");
    const body = await ready.json<any>();
    expect(body.config.models).toEqual(["a"]);
    expect(body.config.stored_model_errors.join(" ")).toContain("could not be read");
    forgetDbModels();
  });
});

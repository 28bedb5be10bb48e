import { describe, expect, it } from "vitest";
import { gw, newKey, withEnv } from "../helpers/gateway";

const failingDb = {
  prepare() {
    throw new Error("D1_ERROR: internal database detail xyzzy");
  },
  batch() {
    throw new Error("D1_ERROR: internal database detail xyzzy");
  },
};

describe("/health/readiness shows the public only LiteLLM's status fields", () => {
  it("without a key: {status, db, cache, version} and nothing else", async () => {
    const res = await gw("/health/readiness", { key: null });
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(["cache", "db", "status", "version"]);
    expect(body).toMatchObject({ status: "healthy", db: "connected" });
    const text = JSON.stringify(body);
    for (const secret of ["gpt-4o-mini", "NOT_SET_ANYWHERE", "broken-1", "set_verbose"]) expect(text).not.toContain(secret);
  });

  it("a virtual key or a wrong key sees the public answer too", async () => {
    const k = await newKey();
    for (const key of [k.key, "sk-wrong"]) {
      const body = await (await gw("/health/readiness", { key })).json<Record<string, unknown>>();
      expect(Object.keys(body).sort()).toEqual(["cache", "db", "status", "version"]);
    }
  });

  it("with the master key: the details as well", async () => {
    const body = await (await gw("/health/readiness")).json<any>();
    expect(body).toMatchObject({ status: "healthy", db: "connected", config: { valid: true, master_key: "set" } });
    expect(body.config.models).toContain("gpt-4o-mini");
  });

  it("a database error is 'unreachable' publicly, without its text", async () => {
    const res = await withEnv({ DB: failingDb as unknown as D1Database }, "/health/readiness", { key: null });
    expect(res.status).toBe(503);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: "unhealthy", db: "unreachable" });
    expect(JSON.stringify(body)).not.toContain("xyzzy");
  });
});

describe("a short master key", () => {
  it("is warned about when the config loads (never with its value)", async () => {
    const { vi } = await import("vitest");
    const { resolveConfig } = await import("../../src/config/resolve");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      resolveConfig("model_list: []", { MASTER_KEY: "sk-short-master" });
      expect(warn).toHaveBeenCalledTimes(1);
      const logged = String(warn.mock.calls[0]![0]);
      expect(logged).toContain("shorter than 32");
      expect(logged).not.toContain("sk-short-master");
      warn.mockClear();
      resolveConfig("model_list: []", { MASTER_KEY: "sk-".padEnd(40, "x") });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

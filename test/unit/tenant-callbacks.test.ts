import { describe, expect, it } from "vitest";
import { parseSinkId, tenantCallbacks, tenantSinkId } from "../../src/telemetry/tenant-callbacks";
import { maskMetadata, parseLogging, REDACTED } from "../../src/telemetry/tenant-logging";

const entry = (callback_name: string, callback_type: string) => ({ callback_name, callback_type, callback_vars: { generic_logger_endpoint: "https://x.test" } });
const key = (metadata: Record<string, unknown>, teamLogging: unknown = null, teamId: string | null = "t@1") => ({ token: "tok", teamId, metadata, teamLogging });

describe("tenant callbacks", () => {
  it("a key without tenant logging gets none", () => {
    expect(tenantCallbacks(key({}), true, true)).toEqual([]);
    expect(tenantCallbacks(key({}, undefined), true, false)).toEqual([]);
  });

  it("splits by callback_type; a key's own logging wins over its team's, and an empty list turns the team's off", () => {
    const team = [entry("generic_api", "success"), entry("webhook", "failure"), entry("datadog", "success_and_failure")];
    const k = key({}, team);
    expect(tenantCallbacks(k, true, true)).toEqual(["generic_api@team:t@1", "datadog@team:t@1"]);
    expect(tenantCallbacks(k, true, false)).toEqual(["webhook@team:t@1", "datadog@team:t@1"]);
    expect(tenantCallbacks(key({ logging: [entry("webhook", "success")] }, team), true, true)).toEqual(["webhook@key:tok"]);
    expect(tenantCallbacks(key({ logging: [] }, team), true, true)).toEqual([]);
    // A key made by a hook or a JWT: its own metadata does not count, its team's does.
    expect(tenantCallbacks(key({ logging: [entry("webhook", "success")] }, team), false, true)).toEqual(["generic_api@team:t@1", "datadog@team:t@1"]);
    // Team logging without a team id, or entries that are not tenant sinks, add nothing.
    expect(tenantCallbacks(key({}, team, null), true, true)).toEqual([]);
    expect(tenantCallbacks(key({ logging: [entry("s3", "success")] }), true, true)).toEqual([]);
  });

  it("sink identities round-trip, team ids with @ included", () => {
    expect(parseSinkId(tenantSinkId("langfuse", { kind: "team", id: "a@b" }))).toEqual({ name: "langfuse", tenant: { kind: "team", id: "a@b" } });
    expect(parseSinkId(tenantSinkId("otel", { kind: "key", token: "abc" }))).toEqual({ name: "otel", tenant: { kind: "key", token: "abc" } });
    expect(parseSinkId("langfuse")).toEqual({ name: "langfuse" });
    expect(parseSinkId("langfuse@someone")).toEqual({ name: "langfuse@someone" });
  });

  it("masks every secret variable and keeps the rest", () => {
    const [e] = parseLogging([{ callback_name: "otel", callback_vars: { otel_endpoint: "https://o.test", otel_headers: "a=b" } }], { path: "metadata.logging", allowEnvRefs: false });
    expect(e).toEqual({ callback_name: "otel", callback_type: "success_and_failure", callback_vars: { otel_endpoint: "https://o.test", otel_headers: "a=b" } });
    expect(maskMetadata({ logging: [e], note: 1 })).toEqual({ logging: [{ ...e, callback_vars: { otel_endpoint: "https://o.test", otel_headers: REDACTED } }], note: 1 });
  });
});

import { spawnSync } from "node:child_process";
import { buildSync } from "esbuild";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { parse, stringify } from "yaml";
import { ensurePrices, SLIM_PRICES } from "./scripts/prices-slim.mjs";
import customAuthHook from "./examples/custom-auth-worker/src/index.js";

/** The tokens the example hook knows in the tests (test/identity/custom-auth.test.ts). */
const HOOK_TOKENS = JSON.stringify({
  "hook-team": { team_id: "hook-team", key_alias: "team-token" },
  "hook-limited": { team_id: "hook-team", key_alias: "limited", rpm_limit: 2, models: ["gpt-4o-mini"] },
  "hook-user": { user_id: "hook-alice", end_user_id: "hook-cust" },
  "hook-no-team": { team_id: "no-such-team" },
});

/**
 * The test worker's GATEWAY_CONFIG: test/fixtures/config/base.yaml, plus the model_list entries of
 * every other file there (one per provider family), so each suite adds its deployments on its own.
 */
function testConfig(): string {
  const dir = path.join(import.meta.dirname, "test/fixtures/config");
  const base = parse(readFileSync(path.join(dir, "base.yaml"), "utf8"));
  for (const file of readdirSync(dir).sort()) {
    if (file === "base.yaml" || !file.endsWith(".yaml")) continue;
    const extra = parse(readFileSync(path.join(dir, file), "utf8"));
    base.model_list.push(...(extra?.model_list ?? []));
  }
  return stringify(base);
}

/** The example hook's RPC entrypoint (examples/custom-auth-worker/src/rpc.ts) as one module, run as a Worker of its own beside the gateway. */
function customAuthWorker(): string {
  const outfile = path.join(import.meta.dirname, ".generated", "custom-auth-worker.mjs");
  buildSync({
    entryPoints: [path.join(import.meta.dirname, "examples/custom-auth-worker/src/rpc.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:workers"],
    outfile,
    logLevel: "error",
  });
  return outfile;
}

export default defineConfig(async () => {
  // The Worker bundles the slim price table (scripts/prices-slim.mjs; wrangler.toml [alias]); so do the tests.
  if (ensurePrices() !== 0) throw new Error("scripts/prices-slim.mjs failed");
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          // The gateway's tests, inside workerd against the real bindings.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  MASTER_KEY: "sk-test-master",
                  GATEWAY_CONFIG: testConfig(),
                  OPENAI_API_KEY: "sk-upstream-secret-openai-0123456789",
                  SWITCHYARD_SALT_KEY: "test-salt-key-for-stored-secrets",
                  // Export sinks (test/e2e/observability*.test.ts): fake hosts answered at the fetch boundary.
                  OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.test",
                  OTEL_EXPORTER_OTLP_HEADERS: "x-otel-token=otel-secret,x-tenant=acme%20corp",
                  LANGFUSE_HOST: "https://langfuse.test",
                  LANGFUSE_PUBLIC_KEY: "pk-lf-test",
                  LANGFUSE_SECRET_KEY: "sk-lf-test",
                  GENERIC_LOGGER_ENDPOINT: "https://logs.test/ingest",
                  GENERIC_LOGGER_HEADERS: "authorization=Bearer generic-secret",
                  DD_API_KEY: "dd-test-key",
                  DD_SITE: "datadoghq.test",
                },
                // test/e2e/metrics.test.ts: Prometheus' own linter on /metrics, run in Node (Debian's `prometheus` package; .ci/run installs it).
                // The example custom auth hook as a Worker of its own, for its RPC entrypoint (custom_auth: rpc:AUTH_HOOK_RPC).
                workers: [{ name: "custom-auth-hook", modules: true, scriptPath: customAuthWorker(), compatibilityDate: "2026-10-01", bindings: { HOOK_TOKENS } }],
                serviceBindings: {
                  AUTH_HOOK_RPC: { name: "custom-auth-hook", entrypoint: "AuthHook" },
                  // The example custom auth hook (examples/custom-auth-worker), run as the gateway would call it.
                  AUTH_HOOK: (request: Request) => customAuthHook.fetch(request, { HOOK_TOKENS }),
                  // A hook that misbehaves on request: slow, garbage, unknown fields, HTTP errors (fail-closed tests).
                  AUTH_HOOK_BROKEN: async (request: Request) => {
                    const { api_key } = (await request.json()) as { api_key: string | null };
                    if (api_key === "slow") await new Promise((r) => setTimeout(r, 1500));
                    if (api_key === "garbage") return new Response("<html>oops</html>", { status: 200 });
                    if (api_key === "unknown-field") return Response.json({ allow: true, team_id: "hook-team", max_budget: 1 });
                    if (api_key === "truthy") return Response.json({ allow: "yes", team_id: "hook-team" });
                    if (api_key === "throws") throw new Error("hook crashed");
                    return Response.json({ error: "down" }, { status: 500 });
                  },
                  PROMTOOL: async (request: Request) => {
                    const run = spawnSync("promtool", ["check", "metrics"], { input: await request.text(), encoding: "utf8" });
                    if (run.error) return Response.json({ error: `promtool could not run (${run.error.message}); apt-get install prometheus` }, { status: 503 });
                    return Response.json({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() });
                  },
                },
                queueConsumers: {
                  "switchyard-spend": { maxBatchTimeout: 0.05, maxRetries: 5 },
                  "switchyard-export": { maxBatchTimeout: 0.05, maxRetries: 10 },
                  "switchyard-batches": { maxBatchTimeout: 0.05, maxBatchSize: 10, maxRetries: 10 },
                },
              },
            }),
          ],
          resolve: { alias: { "@pydantic/genai-prices": SLIM_PRICES } },
          test: {
            name: "workers",
            setupFiles: ["./test/helpers/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/browser/**", "test/node/**"],
            testTimeout: 20_000,
          },
        },
        {
          // Build scripts, in Node.
          test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"] },
        },
        {
          // The admin UI in a real browser (Debian's chromium), against `npm run dev` (test/browser/).
          test: {
            name: "browser",
            environment: "node",
            include: ["test/browser/**/*.test.ts"],
            testTimeout: 240_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});

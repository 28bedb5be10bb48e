import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { parse, stringify } from "yaml";

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

export default defineConfig(async () => {
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
                },
                queueConsumers: { "switchyard-spend": { maxBatchTimeout: 0.05, maxRetries: 5 } },
              },
            }),
          ],
          test: {
            name: "workers",
            setupFiles: ["./test/helpers/setup.ts"],
            include: ["test/**/*.test.ts"],
            exclude: ["test/browser/**"],
            testTimeout: 20_000,
          },
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

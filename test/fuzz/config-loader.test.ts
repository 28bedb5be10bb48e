/// <reference types="vite/client" />
// Property tests: no config text or value makes the loader throw. It answers with an error (the
// gateway then answers 503 config_error naming it) or with the deployments it could resolve.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { resolveConfig } from "../../src/config/resolve";
import anthropicYaml from "../fixtures/config/anthropic.yaml?raw";
import baseYaml from "../fixtures/config/base.yaml?raw";
import bedrockYaml from "../fixtures/config/bedrock.yaml?raw";
import geminiYaml from "../fixtures/config/gemini.yaml?raw";
import { payloads, RUNS, smallJson } from "./arbitraries";

const bindings = { OPENAI_API_KEY: "sk-x", MASTER_KEY: "sk-master" };

const recorded = [baseYaml, anthropicYaml, bedrockYaml, geminiYaml].map((t) => parse(t) as unknown);
const extras = {
  router_settings: { routing_strategy: "least-busy", num_retries: 2, fallbacks: [{ a: ["b"] }], model_group_alias: { x: "gpt-4o" }, cooldown_time: 5 },
  litellm_settings: { drop_params: true, request_timeout: 10, model_max_budget: { "gpt-4o": { budget_limit: 5, time_period: "1d" } } },
  general_settings: { master_key: "os.environ/MASTER_KEY", max_request_size_mb: 2, maximum_spend_logs_retention_period: "30d" },
};
const configs = payloads([...recorded.map((c) => ({ ...(c as object), ...extras })), ...recorded]);

function expectAnswered(source: unknown): void {
  let out: ReturnType<typeof resolveConfig> | undefined;
  expect(() => (out = resolveConfig(source, bindings))).not.toThrow();
  expect(out).toBeDefined();
  if (out!.error !== undefined) expect(typeof out!.error).toBe("string");
  else expect(Array.isArray(out!.deployments)).toBe(true);
}

describe("fuzz: the config loader answers every input with a config or an error, never a throw", () => {
  it("config objects: recorded ones with any node replaced, and arbitrary JSON", () => {
    fc.assert(fc.property(configs, expectAnswered), { numRuns: RUNS * 4 });
  });

  it("the same as YAML and JSON text", () => {
    fc.assert(
      fc.property(configs, fc.boolean(), (config, asJson) => {
        const text = asJson ? (JSON.stringify(config) ?? "null") : stringify(config);
        expectAnswered(text);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("arbitrary text, YAML-ish fragments and non-text values", () => {
    const fragments = fc
      .array(
        fc.constantFrom(
          "model_list:",
          "  - model_name: ",
          "    litellm_params:",
          "      model: ",
          "openai/",
          "*",
          "os.environ/",
          "&a",
          "*a",
          "<<: *a",
          "!!binary",
          "[",
          "{",
          "- ",
          ": ",
          "\n",
          "  ",
          "'",
          '"',
          "#",
        ),
        { maxLength: 30 },
      )
      .map((p) => p.join(""));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fragments, smallJson, fc.constantFrom(undefined, 0, true)), expectAnswered), { numRuns: RUNS * 4 });
  });
});

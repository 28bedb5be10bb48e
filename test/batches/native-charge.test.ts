import { runInDurableObject } from "cloudflare:test";
import type OpenAI from "openai";
import { toFile } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { finishSteps } from "../../src/batches/native/poll";
import { keyGuard } from "../../src/identity/key-store";
import { KeyGuard } from "../../src/limits/key-guard";
import { env, eventually, gw, newKey, openai } from "../helpers/gateway";
import { resetUpstreams } from "../helpers/upstream";
import { chatLine, jsonl } from "./helpers";
import { FakeBatchApi } from "./native-fake";

afterEach(() => {
  finishSteps.after = undefined;
  resetUpstreams();
});

/** Two lines of native-gpt at half its live price: 2 * (10 * 0.000002 + 5 * 0.000004) / 2. */
const BATCH_COST = 0.00004;

async function nativeBatch(client: OpenAI) {
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl([chatLine("a", "native-gpt"), chatLine("b", "native-gpt")])), "in.jsonl"), purpose: "batch" });
  return client.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h", custom_llm_provider: "openai" } as OpenAI.Batches.BatchCreateParams);
}

const periodSpend = async (token: string) => ((await (await gw(`/key/info?key=${token}`)).json()) as { info: { current_period_spend: number } }).info.current_period_spend;

describe("a native batch's budget charge is applied exactly once, whatever crashes", () => {
  for (const step of ["spend", "charge", "move"] as const) {
    it(`the poll dies after its '${step}' step: the redelivered poll ends the batch and the key's budget counts its cost once`, async () => {
      new FakeBatchApi("https://batch.openai.test/v1");
      let crashes = 0;
      finishSteps.after = (s) => {
        if (s === step && crashes++ === 0) throw new Error(`test: the consumer dies after '${step}'`);
      };
      const k = await newKey({ max_budget: 10 });
      const client = openai(k.key);
      const created = await nativeBatch(client);
      const done = await eventually(async () => {
        const b = await client.batches.retrieve(created.id);
        return b.status === "completed" ? b : undefined;
      }, 20_000);
      expect(crashes).toBeGreaterThanOrEqual(1);
      expect((done as unknown as { cost: number }).cost).toBeCloseTo(BATCH_COST, 12);
      // The batch is completed only once its charge has landed: not 0, not twice.
      expect(await periodSpend(k.token)).toBeCloseTo(BATCH_COST, 12);
    });
  }

  it("a guard that restarted between two deliveries of the same charge still applies it once (the id is kept in storage)", async () => {
    const k = await newKey({ max_budget: 10 });
    const charge = { id: "batch_restart_test", model: "native-gpt", cost: 0.25, tokens: 30, now: Date.now() };
    await runInDurableObject(keyGuard(env, k.token), (guard: KeyGuard, state) => {
      expect(guard.chargeOnce(charge)).toEqual([]);
      // A fresh object over the same storage: what a restart leaves (no memory of the charge).
      const restarted = new KeyGuard(state, env);
      restarted.chargeOnce({ ...charge, now: charge.now + 1000 });
      expect(restarted.usage(charge.now + 1000).spend).toBeCloseTo(0.25, 12);
      // Another id is charged.
      restarted.chargeOnce({ ...charge, id: "batch_other" });
      expect(restarted.usage(charge.now + 1000).spend).toBeCloseTo(0.5, 12);
    });
  });
});

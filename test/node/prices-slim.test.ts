import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePrices, SLIM_PRICES } from "../../scripts/prices-slim.mjs";

/**
 * The slim price table (scripts/prices-slim.mjs, what the Worker bundles) prices every model of
 * every provider exactly as @pydantic/genai-prices itself does, and keeps its context window.
 */
type Calc = (usage: Record<string, number>, model: string, opts?: { providerId?: string }) => { total_price: number } | null;
type Provider = { id: string; models: Array<{ id: string; context_window?: number }> };

const pkg = path.join(import.meta.dirname, "../../node_modules/@pydantic/genai-prices/dist/index.js");

describe("the slim genai-prices table", () => {
  it("prices every model of every provider as the package does", async () => {
    expect(ensurePrices()).toBe(0);
    const full = (await import(pkg)) as { calcPrice: Calc; findProvider: (o: { providerId: string }) => Provider | undefined };
    const slim = (await import(SLIM_PRICES)) as { calcPrice: Calc; findProvider: (o: { providerId: string }) => Provider | undefined };
    // The provider ids, from the package's own table.
    const ids = [...readFileSync(pkg, "utf8").matchAll(/^ {4}id: "([^"]+)",$/gm)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(20);
    const usage = { input_tokens: 123_456, output_tokens: 7_890, cache_read_tokens: 1_000, cache_write_tokens: 500 };
    let compared = 0;
    for (const providerId of ids) {
      for (const model of full.findProvider({ providerId })?.models ?? []) {
        const a = full.calcPrice(usage, model.id, { providerId });
        const b = slim.calcPrice(usage, model.id, { providerId });
        expect(b?.total_price, `${providerId}/${model.id}`).toBe(a?.total_price);
        // /model_group/info reads the context window from the table.
        expect(slim.findProvider({ providerId })?.models.find((m) => m.id === model.id)?.context_window, `${providerId}/${model.id}`).toBe(model.context_window);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("is much smaller than the package", () => {
    expect(readFileSync(SLIM_PRICES).length).toBeLessThan(readFileSync(pkg).length * 0.5);
  });
});

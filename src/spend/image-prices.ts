/**
 * OpenAI's per-image prices for the DALL·E models, by size and quality (USD an image), as
 * LiteLLM's model_prices table has them (per pixel there). gpt-image-* answers carry token usage
 * and are priced from it; a configured output_cost_per_image wins over both.
 */
const PRICES: Record<string, Record<string, number>> = {
  "dall-e-3": {
    "standard/1024x1024": 0.04,
    "standard/1024x1792": 0.08,
    "standard/1792x1024": 0.08,
    "hd/1024x1024": 0.08,
    "hd/1024x1792": 0.12,
    "hd/1792x1024": 0.12,
  },
  "dall-e-2": { "standard/256x256": 0.016, "standard/512x512": 0.018, "standard/1024x1024": 0.02 },
};

/** The price of one image, or undefined when the model or its size is not in the table. */
export function imagePrice(model: string, size: string | null | undefined, quality: string | null | undefined): number | undefined {
  const name = model.slice(model.lastIndexOf("/") + 1);
  const table = PRICES[name];
  if (!table) return undefined;
  const q = quality === "hd" ? "hd" : "standard";
  return table[`${q}/${size || "1024x1024"}`];
}

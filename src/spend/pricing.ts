import { calcPrice } from "@pydantic/genai-prices";
import type { Deployment } from "../config/deployment";
import { providerFor } from "../providers/registry";
import type { Usage } from "../providers/types";

/**
 * What a call cost in USD. Per-token prices in the deployment's config win; otherwise the
 * maintained table of @pydantic/genai-prices (chosen over a hand-kept table: it is updated with
 * every provider's price changes, prices cache reads/writes as their own classes, and at ~90 KiB
 * gzipped fits the Worker's bundle budget). `null` when neither knows the model: never a silent $0.
 */
export function priceCall(dep: Deployment, usage: Usage): number | null {
  const c = dep.costs;
  if (c.input !== undefined || c.output !== undefined) return configuredPrice(dep, usage);
  const providerId = providerFor(dep.provider)?.priceProvider ?? dep.provider;
  const args = {
    input_tokens: usage.prompt_tokens,
    output_tokens: usage.completion_tokens,
    cache_read_tokens: usage.cached_tokens,
    cache_write_tokens: usage.cache_creation_tokens,
  };
  try {
    const model = dep.baseModel ? withoutProvider(dep.baseModel) : dep.model;
    const found = calcPrice(args, model, { providerId }) ?? calcPrice(args, model);
    return found ? found.total_price : null;
  } catch {
    return null;
  }
}

/** What the price table knows of a deployment's model: per-token prices (flat ones only) and the context window. */
interface TableEntry {
  inputPerToken: number | null;
  outputPerToken: number | null;
  contextWindow: number | null;
}

export function priceTableEntry(dep: Deployment): TableEntry | null {
  const providerId = providerFor(dep.provider)?.priceProvider ?? dep.provider;
  const model = dep.baseModel ? withoutProvider(dep.baseModel) : dep.model;
  try {
    const usage = { input_tokens: 1, output_tokens: 1 };
    const found = calcPrice(usage, model, { providerId }) ?? calcPrice(usage, model);
    if (!found) return null;
    const perToken = (v: unknown) => (typeof v === "number" ? v / 1_000_000 : null);
    return { inputPerToken: perToken(found.model_price.input_mtok), outputPerToken: perToken(found.model_price.output_mtok), contextWindow: found.model.context_window ?? null };
  } catch {
    return null;
  }
}

/** `azure/gpt-4o` -> `gpt-4o` (a base_model may be written with its provider prefix). */
function withoutProvider(name: string): string {
  const slash = name.indexOf("/");
  return slash > 0 && providerFor(name.slice(0, slash)) ? name.slice(slash + 1) : name;
}

function configuredPrice(dep: Deployment, u: Usage): number {
  const c = dep.costs;
  const input = c.input ?? 0;
  const output = c.output ?? 0;
  const cached = u.cached_tokens ?? 0;
  const written = u.cache_creation_tokens ?? 0;
  const reasoning = u.reasoning_tokens ?? 0;
  const plainPrompt = Math.max(0, u.prompt_tokens - cached - written);
  const plainCompletion = Math.max(0, u.completion_tokens - reasoning);
  return plainPrompt * input + cached * (c.cacheRead ?? input) + written * (c.cacheWrite ?? input) + plainCompletion * output + reasoning * (c.reasoning ?? output);
}

import type { SemanticSettings } from "../../config/cache-settings";
import { answerFields, canonicalJson, sha256Hex } from "../key";
import { promptText, withoutPrompt } from "./prompt";
import type { Near } from "./store";
import { unit } from "./vector";

/** Embeds a text with a model group of model_list, through the gateway's own embeddings call (its cost recorded). */
export type Embed = (model: string, input: string) => Promise<ArrayLike<number>>;

/**
 * The semantic side of a lookup: the partition (the key's prefix -- namespace, generation, scope --
 * the route, the model group and the answer-changing fields other than the prompt, hashed) and the
 * prompt's unit vector. The vector is null (exact matches only) for a client's own cache key, a
 * prompt the cache does not match semantically (see promptText), or a failed embedding call.
 */
export async function semanticProbe(s: SemanticSettings, embed: Embed, prefix: string, route: string, group: string, body: unknown, customKey: string | undefined): Promise<Near> {
  const partition = await sha256Hex(canonicalJson([prefix, route, group, withoutPrompt(route, answerFields(body))]));
  if (customKey !== undefined) return { partition, vector: null };
  const text = promptText(route, body, s.includeToolsAndImages);
  if (text === null) return { partition, vector: null };
  const values = await embed(s.embeddingModel, text).catch(() => null);
  return { partition, vector: values ? unit(values) : null };
}

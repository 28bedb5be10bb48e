import { configSchema, modelEntrySchema, modelInfoSchema } from "./schema";
import { isObject } from "../http/json";

/** What the gateway reads of a model entry's model_info (everything else there is ignored). */
const MODEL_INFO_READ = Object.keys(modelInfoSchema.shape);

/**
 * The parts of a LiteLLM config the gateway ignores, as `path: word` lines for /health/readiness:
 * top-level sections the config schema does not have (finetune_settings, files_settings, ...),
 * environment_variables (Worker bindings are the environment), and model_list entry fields and
 * model_info fields that nothing reads. Derived from the schemas, so a section added there stops
 * being listed. (Unknown keys inside router/litellm/general settings and litellm_params are in
 * `unsupported`.)
 */
export function ignoredConfigKeys(raw: unknown): string[] {
  if (!isObject(raw)) return [];
  const out: string[] = [];
  const top = Object.keys(configSchema.shape);
  for (const key of Object.keys(raw)) if (!top.includes(key)) out.push(`${key}: not supported; the whole section is ignored`);
  const env = raw.environment_variables;
  if (isObject(env)) {
    for (const key of Object.keys(env)) out.push(`environment_variables.${key}: ignored; Worker variables and secrets are the environment (wrangler secret put ${key})`);
  }
  const entryKeys = Object.keys(modelEntrySchema.shape);
  const list = Array.isArray(raw.model_list) ? raw.model_list : [];
  for (const [i, entry] of list.entries()) {
    if (!isObject(entry)) continue;
    for (const key of Object.keys(entry)) if (!entryKeys.includes(key)) out.push(`model_list[${i}].${key}: not supported; ignored`);
    const info = entry.model_info;
    if (isObject(info)) for (const key of Object.keys(info)) if (!MODEL_INFO_READ.includes(key)) out.push(`model_list[${i}].model_info.${key}: not used; ignored`);
  }
  return out;
}

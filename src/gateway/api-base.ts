import type { Deployment } from "../config/deployment";
import { COMPAT_PROVIDERS } from "../providers/openai-compat/table";

/** The deployment's upstream origin for x-litellm-model-api-base: its api_base, else an OpenAI-compatible provider's default; undefined when unknown. */
export function apiBaseOrigin(dep: Deployment): string | undefined {
  if (origins.has(dep)) return origins.get(dep);
  const origin = originOf(dep);
  origins.set(dep, origin);
  return origin;
}

/** Deployments are immutable once the config is resolved: each one's origin is parsed once. */
const origins = new WeakMap<Deployment, string | undefined>();

function originOf(dep: Deployment): string | undefined {
  const base = dep.apiBase ?? COMPAT_PROVIDERS[dep.provider]?.baseUrl;
  if (!base) return undefined;
  try {
    return new URL(base).origin;
  } catch {
    return undefined;
  }
}

import type { Deployment } from "../../config/deployment";
import type { ResolvedConfig } from "../../config/resolve";
import type { FileRow } from "../../db/schema";
import { invalidRequest } from "../../http/errors";
import { providerFor } from "../../providers/registry";
import { resolveGroup } from "../../router/groups";
import { isolateHealth } from "../../router/health";
import { pick } from "../../router/select";
import { isNativeProvider, NATIVE_PROVIDERS, type NativeProvider } from "./upstream";

/** Endpoints each provider's Batch API takes. */
const ENDPOINTS: Record<NativeProvider, readonly string[]> = {
  openai: ["/v1/chat/completions", "/v1/embeddings", "/v1/responses"],
  azure: ["/v1/chat/completions", "/v1/embeddings"],
};

export interface NativeTarget {
  dep: Deployment;
  /** The model every line names (a group, an alias, or a wildcard group's model). */
  group: string;
  groupDeployments: Deployment[];
}

/**
 * A provider a Files or Batches request names (LiteLLM's `/{provider}/v1/...` path, or its
 * `custom_llm_provider` field, query parameter or header): one whose own Batch API the gateway
 * forwards to, else a 400 that says what to do instead.
 */
export function checkNativeProvider(config: ResolvedConfig, provider: string): NativeProvider {
  const drop = "drop the provider (the /{provider} path prefix or custom_llm_provider) and the gateway runs the batch itself";
  if (config.settings.batch.native === "off") throw invalidRequest(`Native batch forwarding is off on this gateway (general_settings.batch_settings.native): ${drop}.`, "custom_llm_provider");
  if (isNativeProvider(provider)) return provider;
  if (!providerFor(provider)) throw invalidRequest(`Unknown provider '${provider}': native batches go to ${NATIVE_PROVIDERS.join(" or ")}.`, "custom_llm_provider");
  throw invalidRequest(`The gateway forwards batches to the Batch APIs of ${NATIVE_PROVIDERS.join(" and ")} only, not ${provider}'s: ${drop}.`, "custom_llm_provider");
}

/**
 * Whether a batch is forwarded to its provider's own Batch API, and to which deployment. With
 * batch_settings.native `auto` every batch that can be is; with `on_request` only one whose
 * create request names `custom_llm_provider` (LiteLLM's field: `extra_body={"custom_llm_provider":
 * "openai"}`). One that asks and cannot be is a 400 saying why; one that does not ask (auto) and
 * cannot be runs on the gateway (null).
 */
export function nativeTarget(config: ResolvedConfig, file: Pick<FileRow, "models" | "id">, endpoint: string, requested: string | undefined): NativeTarget | null {
  const mode = config.settings.batch.native;
  if (requested !== undefined && mode === "off") {
    throw invalidRequest(
      "Native batch forwarding is off on this gateway (general_settings.batch_settings.native): remove 'custom_llm_provider' to have the gateway run the batch.",
      "custom_llm_provider",
    );
  }
  if (requested === undefined && mode !== "auto") return null;
  const refuse = (why: string) => {
    if (requested === undefined) return null;
    throw invalidRequest(`This batch cannot be forwarded to ${requested}'s Batch API: ${why}`, "custom_llm_provider");
  };
  if (requested !== undefined && !isNativeProvider(requested)) return refuse("native batches are forwarded to openai and azure only.");
  const models = file.models ?? [];
  if (models.length !== 1) return refuse(`the lines of '${file.id}' must all name one model (they name ${models.length}).`);
  const group = resolveGroup(config, models[0]!);
  if (!group) return refuse(`'${models[0]}' is not a model group of this gateway.`);
  const deps = group.deployments;
  const provider = requested ?? deps[0]?.provider;
  if (!provider || !isNativeProvider(provider) || !deps.every((d) => d.provider === provider)) {
    return refuse(`every deployment of '${group.name}' must be ${requested ?? "openai or azure"} (found ${[...new Set(deps.map((d) => d.provider))].join(", ")}).`);
  }
  if (!ENDPOINTS[provider].includes(endpoint)) return refuse(`${provider}'s Batch API does not take ${endpoint}.`);
  const usable = deps.filter((d) => !d.error);
  if (!usable.length) return refuse(`no deployment of '${group.name}' is usable (${deps[0]?.error ?? "none configured"}).`);
  const now = Date.now();
  const healthy = usable.filter((d) => isolateHealth.coolingUntil(d.id, now) <= now);
  const dep = pick(healthy.length ? healthy : usable, config.router.strategy, isolateHealth);
  return { dep, group: models[0]!, groupDeployments: deps };
}

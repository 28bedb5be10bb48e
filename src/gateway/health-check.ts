import type { Deployment } from "../config/deployment";
import { maskEnvValues, type ResolvedConfig } from "../config/resolve";
import { GatewayError, invalidRequest } from "../http/errors";
import { isKnownMode, modelMode } from "../providers/mode";
import { providerFor } from "../providers/registry";
import type { ProviderEntry, TranslatedResponse } from "../providers/types";
import { scrubSecrets } from "../providers/upstream-error";
import { fetchAnswer } from "./attempt";
import { imageProbe, speechProbe, transcriptionProbe } from "./health-probes-media";
import type { Attempt } from "./types";

/** LiteLLM's HEALTH_CHECK_TIMEOUT_SECONDS; model_info.health_check_timeout overrides it. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** What /health shows of an endpoint (plain values: it travels through a Durable Object's RPC). */
type Endpoint = Record<string, string | number | boolean>;

/** One deployment's check: its endpoint as /health shows it, and whether the router may act on it. */
export interface CheckResult {
  id: string;
  healthy: boolean;
  /** False when nothing was sent (the deployment is unusable as configured, or its mode is not probed): no cooldown follows. */
  probed: boolean;
  endpoint: Endpoint;
}

/** A probe: one minimal call of the deployment's mode. */
type Probe = (a: Attempt) => Promise<TranslatedResponse>;

const chatProbe: Probe = (a) => {
  const chat = a.provider.chat;
  const maxTokens = typeof a.dep.info?.health_check_max_tokens === "number" ? a.dep.info.health_check_max_tokens : 1;
  const req = { model: a.dep.modelName, messages: [{ role: "user" as const, content: "ping" }], max_tokens: maxTokens };
  return fetchAnswer(
    a,
    () => chat.request(req, a.dep, a.ctx),
    (s, t, h) => chat.error(s, t, h, a.dep),
    (text) => chat.response(text, a.dep, a.ctx),
  );
};

const embeddingProbe: Probe = (a) => {
  const adapter = a.provider.embeddings;
  if (!adapter) throw invalidRequest(`${a.dep.provider} has no embeddings API on this gateway.`);
  const req = { model: a.dep.modelName, input: ["test from litellm"] };
  return fetchAnswer(
    a,
    () => adapter.request(req, a.dep, a.ctx),
    (s, t, h) => adapter.error(s, t, h, a.dep),
    (text) => adapter.response(text, req, a.dep, a.ctx),
  );
};

const rerankProbe: Probe = (a) => {
  const adapter = a.provider.rerank;
  if (!adapter) throw invalidRequest(`${a.dep.provider} has no rerank API on this gateway.`);
  const req = { model: a.dep.modelName, query: "ping", documents: ["ping"], top_n: 1 };
  return fetchAnswer(
    a,
    () => adapter.request(req, a.dep, a.ctx),
    (s, t, h) => adapter.error(s, t, h, a.dep),
    (text) => adapter.response(text, req, a.dep, a.ctx),
  );
};

const moderationProbe: Probe = (a) => {
  const adapter = a.provider.moderations;
  if (!adapter) throw invalidRequest(`${a.dep.provider} has no moderations API on this gateway.`);
  const req = { model: a.dep.modelName, input: "ping" };
  return fetchAnswer(
    a,
    () => adapter.request(req, a.dep, a.ctx),
    (s, t, h) => adapter.error(s, t, h, a.dep),
    (text) => adapter.response(text, req, a.dep, a.ctx),
  );
};

/** The probe of each mode the gateway checks (every mode LiteLLM names); an unknown mode is listed as not checked. */
const PROBES: Record<string, Probe> = {
  chat: chatProbe,
  completion: chatProbe,
  responses: chatProbe,
  embedding: embeddingProbe,
  rerank: rerankProbe,
  moderation: moderationProbe,
  image_generation: imageProbe,
  audio_transcription: transcriptionProbe,
  audio_speech: speechProbe,
};

/** The provider API each mode's probe needs; a provider without it is not probed (nothing could be sent). */
const NEEDS: Record<string, { has: (p: ProviderEntry) => boolean; what: string }> = {
  embedding: { has: (p) => !!p.embeddings, what: "embeddings" },
  rerank: { has: (p) => !!p.rerank, what: "rerank" },
  moderation: { has: (p) => !!p.moderations, what: "moderations" },
  image_generation: { has: (p) => !!p.passthrough, what: "image generation" },
  audio_transcription: { has: (p) => !!p.passthrough, what: "audio transcription" },
  audio_speech: { has: (p) => !!p.passthrough, what: "speech" },
};

/** The litellm_params LiteLLM shows for an endpoint (never a credential); a value read from a binding shows as its reference. */
const DISPLAYED = ["api_base", "api_version", "custom_llm_provider", "aws_region_name", "region_name", "vertex_project", "vertex_location", "tpm", "rpm"] as const;

function endpointOf(dep: Deployment, mode: string, details: boolean, error?: string): Endpoint {
  const model = dep.provider === "*" ? dep.model : `${dep.provider}/${dep.model}`;
  const out: Endpoint = { model };
  if (!isKnownMode(mode)) out.mode_error = `mode '${mode}' is not one of LiteLLM's modes`;
  if (details) {
    for (const k of DISPLAYED) {
      const v = dep.envRefs?.[k] ?? dep.params[k];
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    }
    out.mode = mode;
    if (dep.baseModel) out.base_model = dep.baseModel;
    if (error !== undefined) out.error = error;
  }
  out.model_id = dep.id;
  return out;
}

/** A wildcard deployment is checked with model_info.health_check_model (LiteLLM's name), as `<provider>/<model>` or the bare model. */
function concrete(dep: Deployment): Deployment | string {
  if (!dep.model.includes("*") && dep.provider !== "*") return dep;
  const named = dep.info?.health_check_model;
  if (typeof named !== "string" || !named) return `Deployment '${dep.id}' serves a wildcard: set model_info.health_check_model to the model to check it with.`;
  const slash = named.indexOf("/");
  const prefix = slash > 0 ? named.slice(0, slash) : "";
  if (prefix && providerFor(prefix) && (dep.provider === "*" || dep.provider === prefix)) return { ...dep, provider: prefix, model: named.slice(slash + 1) };
  if (dep.provider === "*") return `model_info.health_check_model of deployment '${dep.id}' must be written <provider>/<model>.`;
  return { ...dep, model: named };
}

const clean = (text: string, dep: Deployment) => maskEnvValues(scrubSecrets(text, dep), dep);

/** Checks one deployment with one minimal call of its mode, outside any key's limits, spend and logs. */
export async function checkDeployment(config: ResolvedConfig, dep: Deployment): Promise<CheckResult> {
  const mode = modelMode(dep);
  const details = config.settings.health.details;
  const fail = (error: string, probed: boolean): CheckResult => ({ id: dep.id, healthy: false, probed, endpoint: endpointOf(dep, mode, details, clean(error, dep)) });
  if (dep.error) return fail(dep.error, false);
  const target = concrete(dep);
  if (typeof target === "string") return fail(target, false);
  const probe = PROBES[mode];
  if (!probe) return fail(`Deployments of mode '${mode}' are not health-checked by this gateway.`, false);
  const provider = providerFor(target.provider);
  if (!provider) return fail(`Unknown provider '${target.provider}'.`, false);
  const needs = NEEDS[mode];
  if (needs && !needs.has(provider)) return fail(`${target.provider} has no ${needs.what} API on this gateway.`, false);
  const timeout = typeof dep.info?.health_check_timeout === "number" ? dep.info.health_check_timeout * 1000 : DEFAULT_TIMEOUT_MS;
  const attempt: Attempt = {
    dep: target,
    provider,
    ctx: { requestId: `health-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000), includeUsage: false, dropParams: true, imageLimits: config.settings.imageLimits },
    timeoutMs: timeout,
    clientHeaders: new Headers(),
  };
  try {
    await probe(attempt);
    return { id: dep.id, healthy: true, probed: true, endpoint: endpointOf(dep, mode, details) };
  } catch (e) {
    const message = e instanceof GatewayError ? `${e.status}: ${e.message}` : e instanceof Error ? e.message : String(e);
    return fail(message, true);
  }
}

/** LiteLLM's /health answer. */
interface HealthReport {
  healthy_endpoints: Endpoint[];
  unhealthy_endpoints: Endpoint[];
  healthy_count: number;
  unhealthy_count: number;
}

export function report(results: readonly CheckResult[]): HealthReport {
  const healthy = results.filter((r) => r.healthy).map((r) => r.endpoint);
  const unhealthy = results.filter((r) => !r.healthy).map((r) => r.endpoint);
  return { healthy_endpoints: healthy, unhealthy_endpoints: unhealthy, healthy_count: healthy.length, unhealthy_count: unhealthy.length };
}

/** Checks deployments in parallel (the runtime queues connections beyond its own limit). */
export function checkDeployments(config: ResolvedConfig, deps: readonly Deployment[]): Promise<CheckResult[]> {
  return Promise.all(deps.map((d) => checkDeployment(config, d)));
}

import { DEFAULT_BATCH_SETTINGS, parseBatchSettings } from "./batch-settings";
import { load as parseYaml } from "js-yaml";
import { inferProvider, providerFor } from "../providers/registry";
import { groupExists } from "../router/groups";
import type { Deployment } from "./deployment";
import { parseCacheSettings } from "./cache-settings";
import { parseDuration } from "../limits/duration";
import { fnv1a64 } from "./hash";
import { ignoredConfigKeys } from "./ignored";
import { configSchema, formatPath, modelEntrySchema, type ModelEntry, type RawConfig } from "./schema";
import { defaultRouterSettings, parseRouterSettings, type RouterSettings } from "./router-settings";
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "../providers/shared/images";
import { defaultTelemetry, parseTelemetry } from "./callbacks";
import { defaultHealthSettings, parseHealthSettings } from "./health-settings";
import { parsePassThrough } from "./pass-through";
import { parseJwtSettings } from "./jwt-settings";
import { parseCustomAuth } from "./custom-auth-settings";
import { parseAccessSettings } from "./access-settings";
import { COMMON_PARAMS, DEFAULT_MAX_REQUEST_BYTES, type GatewaySettings } from "./settings";
import { checkSection, SETTINGS_SECTIONS, SUPPORTED_SETTINGS } from "./settings-schemas";

/** The config, validated and resolved once per isolate. */
export interface ResolvedConfig {
  /** The whole config is unusable: every request answers 503 config_error with this message. */
  error?: string;
  deployments: Deployment[];
  /** model_name -> its deployments, in config order. */
  groups: Map<string, Deployment[]>;
  masterKey?: string;
  /** Where the master key came from, or why there is none. */
  masterKeyError?: string;
  settings: GatewaySettings;
  router: RouterSettings;
  /** Options present in the config that the gateway does not honour yet (path: word). */
  unsupported: string[];
  /** Sections and fields of the config that the gateway ignores altogether (path: word; see ignoredConfigKeys). */
  ignored: string[];
  /** Models added at run time that cannot be used (they do not stop the rest of the gateway). */
  modelErrors: string[];
}

const ENV_PREFIX = "os.environ/";

/** Below this length the master key is warned about when the config loads. */
const MIN_MASTER_KEY_CHARS = 32;

type Bindings = Record<string, unknown>;

/** The binding an `os.environ/NAME` value names, else undefined (a literal). */
export function envName(value: string): string | undefined {
  return value.startsWith(ENV_PREFIX) ? value.slice(ENV_PREFIX.length) : undefined;
}

/** `text` with every value a deployment read from a binding replaced by its reference (`os.environ/NAME`). */
export function maskEnvValues(text: string, dep: Pick<Deployment, "params" | "envRefs">): string {
  let out = text;
  for (const [k, ref] of Object.entries(dep.envRefs ?? {})) {
    const v = dep.params[k];
    if (typeof v === "string" && v.length >= 4) out = out.split(v).join(ref);
  }
  return out;
}

/** Reads `os.environ/NAME` from the bindings; other strings are literals. */
function readEnv(value: string, env: Bindings): { value?: string; missing?: string } {
  if (!value.startsWith(ENV_PREFIX)) return { value };
  const name = value.slice(ENV_PREFIX.length);
  const v = env[name];
  if (typeof v === "string" && v.length > 0) return { value: v };
  return { missing: name };
}

function emptyConfig(error?: string): ResolvedConfig {
  return {
    error,
    deployments: [],
    groups: new Map(),
    router: defaultRouterSettings(),
    settings: {
      dropParams: false,
      maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
      disableSpendLogs: false,
      modelBudgets: new Map(),
      webhookAlerts: false,
      reservedCompletionTokens: 4096,
      spendLogsRetention: "30d",
      storePrompts: false,
      allowedStoredSecrets: new Set(),
      imageLimits: { ...DEFAULT_IMAGE_LIMITS },
      telemetry: defaultTelemetry(),
      health: defaultHealthSettings(),
      passThrough: [],
      batch: { ...DEFAULT_BATCH_SETTINGS },
      enforceUserParam: false,
    },
    unsupported: [],
    ignored: [],
    modelErrors: [],
  };
}

/** Parses the config source (YAML/JSON text or an object). */
export function parseSource(source: unknown): { raw?: unknown; error?: string } {
  if (source == null) return { raw: {} };
  if (typeof source === "object") return { raw: source };
  if (typeof source !== "string") return { error: "GATEWAY_CONFIG must be YAML or JSON text." };
  if (!source.trim()) return { raw: {} };
  try {
    return { raw: parseYaml(source) ?? {} };
  } catch (e) {
    return { error: `The config is not valid YAML or JSON: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
}

/**
 * `allowedEnv`: for a model added through the admin API, the only bindings it may read
 * (general_settings.allowed_stored_model_secrets); config-file models may read any.
 */
function resolveDeployment(entry: ModelEntry, index: number, env: Bindings, unsupported: string[], allowedEnv?: ReadonlySet<string>): Deployment | string {
  const path = `model_list[${index}].litellm_params`;
  const p = entry.litellm_params;
  const slash = p.model.indexOf("/");
  const custom = typeof p.custom_llm_provider === "string" ? p.custom_llm_provider : undefined;
  let provider: string | undefined;
  let model = p.model;
  if (custom) provider = custom;
  else if (p.model === "*") provider = "*";
  else if (slash > 0 && providerFor(p.model.slice(0, slash))) {
    provider = p.model.slice(0, slash);
    model = p.model.slice(slash + 1);
  } else provider = inferProvider(p.model);
  if (!provider) {
    return slash > 0
      ? `${path}.model: unknown provider '${p.model.slice(0, slash)}' in '${p.model}'`
      : `${path}.model: cannot tell the provider of '${p.model}'; write it as <provider>/<model>, e.g. openai/${p.model}`;
  }
  const entryDef = provider === "*" ? { params: [] as string[], requiresApiBase: false, requiresApiKey: false } : providerFor(provider);
  if (!entryDef) return `${path}.model: unknown provider '${provider}'`;
  if (!model) return `${path}.model: '${p.model}' names no model after the provider`;

  const known = new Set([...COMMON_PARAMS, ...(entryDef.params ?? [])]);
  const params: Record<string, unknown> = {};
  const envRefs: Record<string, string> = {};
  const missing: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    if (!known.has(k)) unsupported.push(`${path}.${k}: not supported yet; ignored`);
    if (typeof v === "string") {
      const name = envName(v);
      if (name !== undefined) envRefs[k] = v;
      if (name !== undefined && allowedEnv && !allowedEnv.has(name) && typeof env[name] === "string" && env[name]) {
        missing.push(`${k} reads os.environ/${name}, which models added through the API may not read (general_settings.allowed_stored_model_secrets)`);
        params[k] = undefined;
        continue;
      }
      const r = readEnv(v, env);
      if (r.missing) missing.push(`${k} reads os.environ/${r.missing}, which is not set`);
      params[k] = r.value;
    } else params[k] = v;
  }
  const id = entry.model_info?.id ?? fnv1a64(JSON.stringify([entry.model_name, p]));
  const dep: Deployment = {
    id,
    modelName: entry.model_name,
    provider,
    model,
    apiBase: params.api_base as string | undefined,
    apiKey: params.api_key as string | undefined,
    apiVersion: params.api_version as string | undefined,
    params,
    envRefs,
    rpm: p.rpm,
    tpm: p.tpm,
    weight: p.weight,
    order: p.order,
    timeoutMs: p.timeout !== undefined ? p.timeout * 1000 : undefined,
    streamTimeoutMs: p.stream_timeout !== undefined ? p.stream_timeout * 1000 : undefined,
    baseModel: entry.model_info?.base_model,
    info: entry.model_info ?? {},
    ...(entry.model_info?.access_groups?.length ? { accessGroups: entry.model_info.access_groups } : {}),
    costs: {
      input: p.input_cost_per_token,
      output: p.output_cost_per_token,
      cacheRead: p.cache_read_input_token_cost,
      cacheWrite: p.cache_creation_input_token_cost,
      reasoning: p.output_cost_per_reasoning_token,
      perSecond: p.input_cost_per_second,
      perCharacter: p.input_cost_per_character,
      perImage: p.output_cost_per_image,
      perQuery: p.input_cost_per_query,
      batchInput: p.input_cost_per_token_batches ?? entry.model_info?.input_cost_per_token_batches,
      batchOutput: p.output_cost_per_token_batches ?? entry.model_info?.output_cost_per_token_batches,
    },
  };
  if (entryDef.requiresApiBase && !dep.apiBase && !missing.length) {
    return `${path}.api_base: provider '${provider}' has no default host; set api_base`;
  }
  if (missing.length) dep.error = `Deployment '${id}' of model '${entry.model_name}' is not usable: ${missing.join("; ")}.`;
  else if (entryDef.requiresApiKey && !dep.apiKey) {
    dep.error = `Deployment '${id}' of model '${entry.model_name}' has no api_key; set ${path}.api_key (e.g. os.environ/${provider.toUpperCase()}_API_KEY).`;
  } else if ("check" in entryDef && entryDef.check) dep.error = entryDef.check(dep);
  if (dep.error) dep.error = maskEnvValues(dep.error, dep);
  return dep;
}

function resolveSettings(raw: RawConfig, env: Bindings, out: ResolvedConfig): string | undefined {
  for (const section of SETTINGS_SECTIONS) {
    const values = raw[section] ?? {};
    for (const key of Object.keys(values)) {
      if (!SUPPORTED_SETTINGS[section].includes(key)) out.unsupported.push(`${section}.${key}: not supported yet; ignored`);
    }
  }
  for (const section of SETTINGS_SECTIONS) {
    const error = checkSection(section, raw[section] ?? {});
    if (error) return error;
  }
  const router = raw.router_settings ?? {};
  const litellm = raw.litellm_settings ?? {};
  const general = raw.general_settings ?? {};
  try {
    out.router = parseRouterSettings(router, litellm, out.unsupported);
  } catch (e) {
    if (typeof e === "string") return e;
    throw e;
  }
  try {
    out.settings.cache = parseCacheSettings(litellm, env, out.unsupported);
  } catch (e) {
    if (typeof e === "string") return e;
    throw e;
  }
  if (litellm.drop_params !== undefined) {
    if (typeof litellm.drop_params !== "boolean") return "litellm_settings.drop_params: must be true or false";
    out.settings.dropParams = litellm.drop_params;
  }
  if (litellm.request_timeout !== undefined) {
    if (typeof litellm.request_timeout !== "number" || litellm.request_timeout <= 0) return "litellm_settings.request_timeout: must be a positive number of seconds";
    out.settings.requestTimeoutMs = litellm.request_timeout * 1000;
  }
  if (general.max_request_size_mb !== undefined) {
    const mb = general.max_request_size_mb;
    if (typeof mb !== "number" || mb <= 0) return "general_settings.max_request_size_mb: must be a positive number";
    out.settings.maxRequestBytes = Math.floor(mb * 1024 * 1024);
  }
  const batch = parseBatchSettings(general);
  if (typeof batch === "string") return batch;
  out.settings.batch = batch;
  if (general.disable_spend_logs !== undefined) {
    if (typeof general.disable_spend_logs !== "boolean") return "general_settings.disable_spend_logs: must be true or false";
    out.settings.disableSpendLogs = general.disable_spend_logs;
  }
  const budgets = litellm.model_max_budget;
  if (budgets !== undefined) {
    if (!budgets || typeof budgets !== "object" || Array.isArray(budgets)) return "litellm_settings.model_max_budget: must map model groups to {budget_limit, time_period}";
    for (const [group, v] of Object.entries(budgets as Record<string, unknown>)) {
      const b = v as { budget_limit?: unknown; time_period?: unknown };
      if (typeof b?.budget_limit !== "number" || b.budget_limit < 0) return `litellm_settings.model_max_budget.${group}.budget_limit: must be a number of USD >= 0`;
      const periodMs = b.time_period === undefined ? null : typeof b.time_period === "string" ? parseDuration(b.time_period) : undefined;
      if (periodMs === undefined) return `litellm_settings.model_max_budget.${group}.time_period: use e.g. 1d, 7d, 30d`;
      out.settings.modelBudgets.set(group, { limit: b.budget_limit, periodMs });
    }
  }
  const telemetry = parseTelemetry(litellm, general, out.unsupported);
  if (typeof telemetry === "string") return telemetry;
  out.settings.telemetry = telemetry;
  out.settings.webhookAlerts = telemetry.alerting.webhook;
  if (general.reserved_completion_tokens !== undefined) {
    const n = general.reserved_completion_tokens;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) return "general_settings.reserved_completion_tokens: must be a whole number >= 1";
    out.settings.reservedCompletionTokens = n;
  }
  const retention = general.maximum_spend_logs_retention_period;
  if (retention !== undefined) {
    if (typeof retention !== "string" || parseDuration(retention) === undefined) return "general_settings.maximum_spend_logs_retention_period: use e.g. 7d, 30d, 1mo";
    out.settings.spendLogsRetention = retention;
  }
  const allowed = general.allowed_stored_model_secrets;
  if (allowed !== undefined && allowed !== null) {
    if (!Array.isArray(allowed) || !allowed.every((n) => typeof n === "string" && n.length > 0)) {
      return "general_settings.allowed_stored_model_secrets: must be a list of binding names, e.g. [OPENAI_API_KEY]";
    }
    out.settings.allowedStoredSecrets = new Set(allowed as string[]);
  }
  const images: Array<[string, keyof ImageLimits, number]> = [
    ["max_images_per_request", "maxImages", 1],
    ["max_image_bytes_per_request_mb", "maxTotalBytes", 1024 * 1024],
    ["max_image_url_download_size_mb", "maxImageBytes", 1024 * 1024],
  ];
  for (const [key, field, unit] of images) {
    const v = general[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) return `general_settings.${key}: must be a number >= 0 (0 turns image URL fetching off)`;
    out.settings.imageLimits[field] = Math.floor(v * unit);
  }
  const health = parseHealthSettings(general);
  if (typeof health === "string") return health;
  out.settings.health = health;
  const passThrough = parsePassThrough(general.pass_through_endpoints, env, out.unsupported);
  if (typeof passThrough === "string") return passThrough;
  out.settings.passThrough = passThrough;
  if (general.store_prompts_in_spend_logs !== undefined) {
    if (typeof general.store_prompts_in_spend_logs !== "boolean") return "general_settings.store_prompts_in_spend_logs: must be true or false";
    out.settings.storePrompts = general.store_prompts_in_spend_logs;
  }
  try {
    out.settings.customAuth = parseCustomAuth(general, env);
    out.settings.access = parseAccessSettings(general);
    out.settings.jwt = parseJwtSettings(general, env);
  } catch (e) {
    if (typeof e === "string") return e;
    throw e;
  }
  if (out.settings.customAuth?.error) out.unsupported.push(`general_settings.custom_auth: ${out.settings.customAuth.error} Every request the hook would see is refused (503).`);
  if (out.settings.jwt?.error) out.unsupported.push(`general_settings.enable_jwt_auth: ${out.settings.jwt.error}`);
  if (!out.settings.jwt && general.litellm_jwtauth !== undefined) out.unsupported.push("general_settings.litellm_jwtauth: ignored because enable_jwt_auth is not true");
  if (general.enforce_user_param !== undefined) {
    if (typeof general.enforce_user_param !== "boolean") return "general_settings.enforce_user_param: must be true or false";
    out.settings.enforceUserParam = general.enforce_user_param;
  }
  const fromBinding = env.MASTER_KEY;
  if (typeof fromBinding === "string" && fromBinding) out.masterKey = fromBinding;
  else if (general.master_key !== undefined) {
    if (typeof general.master_key !== "string" || !general.master_key) return "general_settings.master_key: must be a string";
    const r = readEnv(general.master_key, env);
    if (r.missing) out.masterKeyError = `general_settings.master_key reads os.environ/${r.missing}, which is not set.`;
    else out.masterKey = r.value;
  }
  if (out.masterKey && out.masterKey.length < MIN_MASTER_KEY_CHARS) {
    console.warn(
      JSON.stringify({ msg: `The master key is shorter than ${MIN_MASTER_KEY_CHARS} characters: use a long random one (e.g. sk- and 32+ random characters).`, length: out.masterKey.length }),
    );
  }
  if (!out.masterKey && !out.masterKeyError) {
    out.masterKeyError = "No master key is set. Set the MASTER_KEY secret (`wrangler secret put MASTER_KEY`, or .dev.vars locally) or general_settings.master_key.";
  }
  return undefined;
}

/** Validates and resolves a parsed config against the Worker's bindings. */
export function resolveConfig(source: unknown, env: Bindings, stored: readonly ModelEntry[] = []): ResolvedConfig {
  const parsed = parseSource(source);
  if (parsed.error) return emptyConfig(parsed.error);
  const result = configSchema.safeParse(parsed.raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return emptyConfig(`Invalid config at ${formatPath(issue.path)}: ${issue.message}`);
  }
  const raw = result.data;
  const out = emptyConfig();
  out.ignored = ignoredConfigKeys(parsed.raw);
  const settingsError = resolveSettings(raw, env, out);
  if (settingsError) return emptyConfig(`Invalid config at ${settingsError}`);
  const ids = new Set<string>();
  for (const [i, entry] of (raw.model_list ?? []).entries()) {
    const dep = resolveDeployment(entry, i, env, out.unsupported);
    if (typeof dep === "string") return { ...emptyConfig(`Invalid config at ${dep}`), unsupported: out.unsupported };
    if (ids.has(dep.id)) return emptyConfig(`Invalid config at model_list[${i}].model_info.id: '${dep.id}' is used twice`);
    ids.add(dep.id);
    addDeployment(out, dep);
  }
  for (const entry of stored) {
    const checked = modelEntrySchema.safeParse(entry);
    const id = entry.model_info?.id ?? "?";
    if (!checked.success) {
      out.modelErrors.push(`stored model '${id}': ${formatPath(checked.error.issues[0]!.path)}: ${checked.error.issues[0]!.message}`);
      continue;
    }
    const dep = resolveDeployment(checked.data, 0, env, [], out.settings.allowedStoredSecrets);
    if (typeof dep === "string") out.modelErrors.push(`stored model '${id}': ${dep.replace("model_list[0].", "")}`);
    else if (ids.has(dep.id)) out.modelErrors.push(`stored model '${id}': the id is already used by the config`);
    else {
      ids.add(dep.id);
      addDeployment(out, { ...dep, stored: true });
    }
  }
  const dangling = danglingReference(out);
  if (dangling) return { ...emptyConfig(`Invalid config at ${dangling}`), unsupported: out.unsupported };
  return out;
}

function addDeployment(out: ResolvedConfig, dep: Deployment): void {
  out.deployments.push(dep);
  const group = out.groups.get(dep.modelName);
  if (group) group.push(dep);
  else out.groups.set(dep.modelName, [dep]);
}

/** A fallback or alias that names no model group. */
function danglingReference(config: ResolvedConfig): string | undefined {
  const r = config.router;
  const lists: Array<[string, Map<string, string[]>]> = [
    ["fallbacks", r.fallbacks],
    ["context_window_fallbacks", r.contextWindowFallbacks],
    ["content_policy_fallbacks", r.contentPolicyFallbacks],
  ];
  for (const [name, map] of lists) {
    for (const [group, targets] of map) {
      for (const t of targets) if (!groupExists(config, t)) return `router_settings.${name}.${group}: '${t}' is not a model_name in model_list`;
    }
  }
  for (const t of r.defaultFallbacks) if (!groupExists(config, t)) return `router_settings.default_fallbacks: '${t}' is not a model_name in model_list`;
  for (const [alias, t] of r.aliases) if (!config.groups.has(t)) return `router_settings.model_group_alias.${alias}: '${t}' is not a model_name in model_list`;
  const embedding = config.settings.cache?.semantic?.embeddingModel;
  if (embedding && !groupExists(config, embedding)) return `litellm_settings.cache_params.embedding_model: '${embedding}' is not a model_name in model_list`;
  return undefined;
}

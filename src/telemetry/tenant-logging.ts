import type { SinkName } from "../config/callbacks";
import { encryptSecret, isEncrypted, saltKey } from "../config/secrets";
import { configError, invalidRequest } from "../http/errors";

/**
 * LiteLLM's team- and key-based logging: `metadata.logging` of a key or a team is a list of
 * `{callback_name, callback_type, callback_vars}` that adds a sink, with its own credentials, for
 * that key's (or team's) calls only. The credentials are stored encrypted with SWITCHYARD_SALT_KEY
 * (as stored model secrets are) and never shown back.
 */
export interface LoggingEntry {
  callback_name: TenantSinkName;
  callback_type: CallbackType;
  callback_vars: Record<string, string>;
}

const CALLBACK_TYPES = ["success", "failure", "success_and_failure"] as const;
type CallbackType = (typeof CALLBACK_TYPES)[number];

interface VarSpec {
  /** The binding the sink reads this variable as. */
  binding: string;
  required?: boolean;
  secret?: boolean;
  url?: boolean;
}

const LANGFUSE: Record<string, VarSpec> = {
  langfuse_public_key: { binding: "LANGFUSE_PUBLIC_KEY", required: true },
  langfuse_secret_key: { binding: "LANGFUSE_SECRET_KEY", required: true, secret: true },
  langfuse_host: { binding: "LANGFUSE_HOST", url: true },
};

/** The callbacks a key or team may add, and each one's callback_vars (LiteLLM's names; the others lowercase the sink's variables). */
export const TENANT_VARS = {
  langfuse: LANGFUSE,
  langfuse_otel: LANGFUSE,
  otel: {
    otel_endpoint: { binding: "OTEL_ENDPOINT", required: true, url: true },
    otel_headers: { binding: "OTEL_HEADERS", secret: true },
    otel_service_name: { binding: "OTEL_SERVICE_NAME" },
  },
  generic_api: {
    generic_logger_endpoint: { binding: "GENERIC_LOGGER_ENDPOINT", required: true, url: true },
    generic_logger_headers: { binding: "GENERIC_LOGGER_HEADERS", secret: true },
  },
  webhook: {
    generic_logger_endpoint: { binding: "GENERIC_LOGGER_ENDPOINT", required: true, url: true },
    generic_logger_headers: { binding: "GENERIC_LOGGER_HEADERS", secret: true },
  },
  datadog: {
    dd_api_key: { binding: "DD_API_KEY", required: true, secret: true },
    dd_site: { binding: "DD_SITE" },
  },
} as const satisfies Partial<Record<SinkName, Record<string, VarSpec>>>;
type TenantSinkName = keyof typeof TENANT_VARS;

/** LiteLLM's other spellings of a variable. */
const ALIASES: Record<string, string> = { langfuse_secret: "langfuse_secret_key" };

/** What an admin answer shows instead of a stored credential (LiteLLM's marker). */
export const REDACTED = "***REDACTED***";

const specs = (name: string): Record<string, VarSpec> | undefined => (Object.hasOwn(TENANT_VARS, name) ? (TENANT_VARS as Record<string, Record<string, VarSpec>>)[name] : undefined);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

interface ParseOptions {
  /** The field path for errors, e.g. `metadata.logging`. */
  path: string;
  /** The entries stored before: a secret sent as ***REDACTED*** (or left out) keeps its stored value. */
  previous?: unknown;
  /** Values of the form os.environ/NAME read the gateway's own bindings: proxy admins only. */
  allowEnvRefs: boolean;
}

const join = (at: string, k: string) => (at ? `${at}.${k}` : k);

/** One entry, checked; throws a 400 naming the field (`at` is its path; empty for a request body that is the entry). */
export function parseEntry(raw: unknown, at: string, opts: ParseOptions, previous: LoggingEntry[]): LoggingEntry {
  if (!isObject(raw)) throw invalidRequest(`${at ? `'${at}'` : "The request body"} must be an object {callback_name, callback_type, callback_vars}.`, at || null);
  for (const k of Object.keys(raw)) {
    if (k !== "callback_name" && k !== "callback_type" && k !== "callback_vars")
      throw invalidRequest(`'${join(at, k)}' is not a logging field (callback_name, callback_type, callback_vars).`, join(at, k));
  }
  const name = raw.callback_name;
  const vars = typeof name === "string" ? specs(name) : undefined;
  if (!vars) throw invalidRequest(`'${join(at, "callback_name")}' must be one of ${Object.keys(TENANT_VARS).join(", ")} (got ${JSON.stringify(name)}).`, join(at, "callback_name"));
  const type = raw.callback_type ?? "success_and_failure";
  if (typeof type !== "string" || !(CALLBACK_TYPES as readonly string[]).includes(type)) {
    throw invalidRequest(`'${join(at, "callback_type")}' must be one of ${CALLBACK_TYPES.join(", ")}.`, join(at, "callback_type"));
  }
  const given = raw.callback_vars ?? {};
  if (!isObject(given)) throw invalidRequest(`'${join(at, "callback_vars")}' must be an object.`, join(at, "callback_vars"));
  const stored = previous.find((p) => p.callback_name === name)?.callback_vars ?? {};
  const out: Record<string, string> = {};
  for (const [k0, v] of Object.entries(given)) {
    const k = ALIASES[k0] ?? k0;
    const field = join(at, `callback_vars.${k0}`);
    const spec = vars[k];
    if (!spec) throw invalidRequest(`'${field}' is not a variable of the ${name} callback (${Object.keys(vars).join(", ")}).`, field);
    if (typeof v !== "string" || !v.trim()) throw invalidRequest(`'${field}' must be a non-empty string.`, field);
    if (v === REDACTED) {
      if (!spec.secret || stored[k] === undefined) throw invalidRequest(`'${field}' is ${REDACTED} but no value is stored for it: give the value.`, field);
      out[k] = stored[k]!;
      continue;
    }
    if (v.startsWith("os.environ/")) {
      if (!opts.allowEnvRefs) throw invalidRequest(`'${field}': only a proxy admin may point a callback variable at the gateway's own bindings (os.environ/...).`, field);
    } else if (spec.url && !/^https?:\/\/[^\s/]+/i.test(v)) {
      throw invalidRequest(`'${field}' must be an http(s) URL.`, field);
    }
    out[k] = v;
  }
  // A stored secret left out of an update keeps its value (an admin answer never shows it to send back).
  for (const [k, spec] of Object.entries(vars)) if (out[k] === undefined && spec.secret && stored[k] !== undefined) out[k] = stored[k]!;
  for (const [k, spec] of Object.entries(vars)) {
    if (spec.required && out[k] === undefined) throw invalidRequest(`'${join(at, `callback_vars.${k}`)}' is required for the ${name} callback.`, join(at, `callback_vars.${k}`));
  }
  return { callback_name: name as TenantSinkName, callback_type: type as CallbackType, callback_vars: out };
}

/** The stored entries as they are (already checked when written); anything else is dropped. */
export function storedEntries(value: unknown): LoggingEntry[] {
  if (!Array.isArray(value)) return [];
  return value.filter((e): e is LoggingEntry => isObject(e) && typeof e.callback_name === "string" && !!specs(e.callback_name) && isObject(e.callback_vars));
}

/** A `logging` list as given by an admin, checked: a 400 names the first bad field. One entry per callback_name. */
export function parseLogging(value: unknown, opts: ParseOptions): LoggingEntry[] {
  if (!Array.isArray(value)) throw invalidRequest(`'${opts.path}' must be a list of {callback_name, callback_type, callback_vars}.`, opts.path);
  const previous = storedEntries(opts.previous);
  const out = value.map((e, i) => parseEntry(e, `${opts.path}[${i}]`, opts, previous));
  const seen = new Set<string>();
  out.forEach((e, i) => {
    if (seen.has(e.callback_name))
      throw invalidRequest(`'${opts.path}[${i}].callback_name': ${e.callback_name} is listed twice; use callback_type success_and_failure for both outcomes.`, `${opts.path}[${i}].callback_name`);
    seen.add(e.callback_name);
  });
  return out;
}

/** The entries with their secret variables encrypted (os.environ/ references and stored values stay as they are). */
export async function sealLogging(entries: LoggingEntry[], env: Record<string, unknown>): Promise<LoggingEntry[]> {
  const salt = saltKey(env);
  return Promise.all(
    entries.map(async (e) => {
      const vars = specs(e.callback_name) ?? {};
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(e.callback_vars)) {
        if (!vars[k]?.secret || v.startsWith("os.environ/") || isEncrypted(v)) out[k] = v;
        else if (!salt) throw configError(`Storing '${k}' needs the SWITCHYARD_SALT_KEY secret (the key that encrypts stored credentials). Set it, or pass os.environ/NAME instead.`);
        else out[k] = await encryptSecret(v, salt);
      }
      return { ...e, callback_vars: out };
    }),
  );
}

/**
 * A key's or team's metadata as written by an admin: its `logging` list (when given) checked and
 * sealed. `previous` is the metadata stored before (an update).
 */
export async function sealMetadataLogging(
  metadata: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
  env: Record<string, unknown>,
  allowEnvRefs: boolean,
): Promise<Record<string, unknown>> {
  // LiteLLM's older shape would be stored and never run: refused, with the shape that works.
  if (Object.hasOwn(metadata, "callback_settings")) {
    throw invalidRequest(
      "'metadata.callback_settings' (LiteLLM's deprecated shape) is not supported: use metadata.logging, a list of {callback_name, callback_type, callback_vars}.",
      "metadata.callback_settings",
    );
  }
  if (!Object.hasOwn(metadata, "logging")) return metadata;
  const entries = parseLogging(metadata.logging, { path: "metadata.logging", previous: previous?.logging, allowEnvRefs });
  return { ...metadata, logging: await sealLogging(entries, env) };
}

/** The entries as an admin may see them: every secret variable (and anything encrypted) as ***REDACTED***. */
export function maskEntries(entries: LoggingEntry[]): LoggingEntry[] {
  return entries.map((e) => {
    const vars = specs(e.callback_name) ?? {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.callback_vars)) out[k] = vars[k]?.secret || isEncrypted(v) ? REDACTED : v;
    return { ...e, callback_vars: out };
  });
}

/** Metadata as an admin answer shows it: the `logging` credentials masked, the rest as stored. */
export function maskMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!metadata || !Array.isArray(metadata.logging)) return metadata;
  return { ...metadata, logging: maskEntries(storedEntries(metadata.logging)) };
}

/** The bindings a sink reads, from one entry's variables (decrypted and os.environ/ resolved by `open`). */
export function entryBindings(entry: LoggingEntry, open: (value: string) => Promise<string>): Promise<Record<string, string>> {
  const vars = specs(entry.callback_name) ?? {};
  const known = Object.entries(entry.callback_vars).filter(([k]) => vars[k]);
  return Promise.all(known.map(async ([k, v]) => [vars[k]!.binding, await open(v)] as const)).then(Object.fromEntries);
}

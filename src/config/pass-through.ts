/** One `general_settings.pass_through_endpoints` entry, resolved (LiteLLM's fields). */
export interface PassThroughEndpoint {
  /** The gateway path clients call (`/bria`). */
  path: string;
  /** Where it goes (`https://engine.prod.bria-api.com`). */
  target: string;
  /** Headers set on every upstream request (`os.environ/NAME` inside a value read from the binding). */
  headers: Record<string, string>;
  /** default_query_params: sent unless the client sends its own value. */
  query: Record<string, string>;
  /** include_subpath: `/bria/v1/x` goes to `{target}/v1/x` (else only the exact path is served). */
  includeSubpath: boolean;
  /** cost_per_request, USD (LiteLLM's default 0). */
  costPerRequest: number;
  timeoutMs?: number;
  /** methods: only these (upper case); absent: every method. */
  methods?: string[];
  /** forward_headers: the client's headers go along (never its gateway key, cookies or Cloudflare's own). */
  forwardHeaders: boolean;
  /** A binding a header reads is not set: the endpoint answers 503 naming it. */
  error?: string;
}

/** Paths a pass-through endpoint may not take: the gateway's own admin, health and provider routes. */
const RESERVED = [
  "/health",
  "/key",
  "/team",
  "/user",
  "/model",
  "/model_group",
  "/spend",
  "/global",
  "/ui",
  "/customer",
  "/end_user",
  "/organization",
  "/callbacks",
  "/metrics",
  "/anthropic",
  "/gemini",
  "/vertex_ai",
];

const KNOWN = new Set(["path", "target", "headers", "default_query_params", "include_subpath", "cost_per_request", "timeout", "auth", "methods", "forward_headers", "id", "is_from_config"]);

const ENV_REF = /os\.environ\/([A-Za-z_][A-Za-z0-9_]*)/g;

const isStringMap = (v: unknown): v is Record<string, string> => !!v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");

/**
 * Reads general_settings.pass_through_endpoints. A bad entry makes the config unusable (the error
 * string): a path that is not `/...` or is one of the gateway's own, a target that is not an
 * http(s) URL, `auth: false` (every pass-through endpoint is behind a virtual key), `guardrails`
 * (Switchyard has none to run).
 */
export function parsePassThrough(raw: unknown, env: Record<string, unknown>, unsupported: string[]): PassThroughEndpoint[] | string {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return "general_settings.pass_through_endpoints: must be a list of {path, target, headers}";
  const out: PassThroughEndpoint[] = [];
  for (const [i, e] of raw.entries()) {
    const at = `general_settings.pass_through_endpoints[${i}]`;
    if (!e || typeof e !== "object" || Array.isArray(e)) return `${at}: must be an object with path and target`;
    const o = e as Record<string, unknown>;
    const path = typeof o.path === "string" ? o.path.replace(/\/+$/, "") : "";
    if (!/^\/[A-Za-z0-9._~\-/]+$/.test(path) || path.split("/").some((s) => s === "." || s === "..")) return `${at}.path: must be a path such as /bria`;
    if (RESERVED.some((r) => path === r || path.startsWith(`${r}/`))) return `${at}.path: ${path} is one of the gateway's own routes`;
    if (out.some((x) => x.path === path)) return `${at}.path: ${path} is used twice`;
    let target: URL;
    try {
      target = new URL(typeof o.target === "string" ? o.target : "");
    } catch {
      return `${at}.target: must be an http(s) URL`;
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") return `${at}.target: must be an http(s) URL`;
    if (target.username || target.password) return `${at}.target: put credentials in headers, not in the URL`;
    if (o.auth === false || o.auth === "false") return `${at}.auth: false is refused: every pass-through endpoint on this gateway is behind a virtual key`;
    if (o.guardrails !== undefined && o.guardrails !== null) return `${at}.guardrails: not supported (Switchyard runs no guardrails); remove it`;
    for (const k of Object.keys(o)) if (!KNOWN.has(k)) unsupported.push(`${at}.${k}: not supported yet; ignored`);
    if (o.headers !== undefined && o.headers !== null && !isStringMap(o.headers)) return `${at}.headers: must map header names to strings`;
    if (o.default_query_params !== undefined && o.default_query_params !== null && !isStringMap(o.default_query_params)) return `${at}.default_query_params: must map names to strings`;
    const missing = new Set<string>();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((o.headers as Record<string, string> | undefined) ?? {})) {
      headers[name] = value.replace(ENV_REF, (_, v: string) => {
        const found = env[v];
        if (typeof found === "string" && found) return found;
        missing.add(v);
        return "";
      });
    }
    const cost = o.cost_per_request ?? 0;
    if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) return `${at}.cost_per_request: must be a number of USD >= 0`;
    if (o.timeout !== undefined && o.timeout !== null && (typeof o.timeout !== "number" || o.timeout <= 0)) return `${at}.timeout: must be a positive number of seconds`;
    if (o.methods !== undefined && o.methods !== null && !(Array.isArray(o.methods) && o.methods.every((m) => typeof m === "string"))) return `${at}.methods: must be a list such as [GET, POST]`;
    for (const flag of ["include_subpath", "forward_headers"] as const) {
      if (o[flag] !== undefined && o[flag] !== null && typeof o[flag] !== "boolean") return `${at}.${flag}: must be true or false`;
    }
    out.push({
      path,
      target: target.toString().replace(/\/+$/, ""),
      headers,
      query: (o.default_query_params as Record<string, string> | undefined) ?? {},
      includeSubpath: o.include_subpath === true,
      costPerRequest: cost,
      timeoutMs: typeof o.timeout === "number" ? o.timeout * 1000 : undefined,
      methods: Array.isArray(o.methods) && o.methods.length ? (o.methods as string[]).map((m) => m.toUpperCase()) : undefined,
      forwardHeaders: o.forward_headers === true,
      error: missing.size ? `The pass-through endpoint ${path} is not usable: its headers read ${[...missing].map((m) => `os.environ/${m}`).join(", ")}, which is not set.` : undefined,
    });
  }
  return out;
}

/** The endpoint serving a request path and method, if any. */
export function passThroughFor(endpoints: readonly PassThroughEndpoint[], path: string, method: string): PassThroughEndpoint | undefined {
  return endpoints.find((e) => (path === e.path || (e.includeSubpath && path.startsWith(`${e.path}/`))) && (!e.methods || e.methods.includes(method)));
}

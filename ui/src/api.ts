// The UI's one way to the gateway: the public admin API, authenticated by the session cookie
// (HttpOnly, set by POST /ui/api/login), with the CSRF token echoed on every state-changing call.

export const CSRF_COOKIE = "switchyard_csrf";
export const CSRF_HEADER = "x-switchyard-csrf";

/** An error the gateway answered with (OpenAI's shape), or a network failure, in words. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

let onSignedOut: () => void = () => {};
/** Called when an admin call answers 401: the session is gone, show the sign-in page. */
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === CSRF_COOKIE) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** A readable message from a failed response: the gateway's error.message, else the status. */
export async function errorOf(res: Response): Promise<ApiError> {
  let message = `The gateway answered ${res.status} ${res.statusText}.`;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string; param?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
    param = body.error?.param ?? null;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(message, res.status, code, param);
}

export interface CallOptions {
  method?: "GET" | "POST";
  body?: unknown;
  /** A virtual key to call with instead of the session (the playground). */
  key?: string;
  signal?: AbortSignal;
}

/** Sends a request to the gateway; throws ApiError with the gateway's words on failure. */
export async function request(path: string, opts: CallOptions = {}): Promise<Response> {
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  else if (method !== "GET") headers[CSRF_HEADER] = csrfToken() ?? "";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: opts.key ? "omit" : "same-origin",
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(`Could not reach the gateway (${e instanceof Error ? e.message : String(e)}).`, 0);
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !opts.key && !path.startsWith("/ui/api/")) onSignedOut();
    throw err;
  }
  return res;
}

export async function api<T>(path: string, opts: CallOptions = {}): Promise<T> {
  const res = await request(path, opts);
  return (await res.json()) as T;
}

/** A query string from the set values only. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

// The shapes the pages read (LiteLLM's names, as the admin API answers them).
export interface KeyObject {
  token: string;
  key_name: string | null;
  key_alias: string | null;
  models: string[];
  spend: number;
  expires: string | null;
  blocked: boolean | null;
  team_id: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_budget: number | null;
  budget_duration: string | null;
  created_at: string | null;
}
/** /key/info's `info`: the key object (without its token) and its live usage. */
export interface KeyInfo extends Omit<KeyObject, "token"> {
  max_parallel_requests: number | null;
  budget_reset_at: string | null;
  current_period_spend: number;
  parallel_requests_in_flight: number;
  rpm_used: number | null;
  tpm_used: number | null;
  budget_used: number | null;
  budget_remaining: number | null;
}
export interface KeyList {
  keys: KeyObject[];
  total_count: number;
  current_page: number;
  total_pages: number;
}
export interface SpendRow {
  request_id: string;
  api_key: string;
  model: string;
  model_group: string;
  provider: string;
  deployment: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  spend: number | null;
  status: string;
  startTime: string;
  endTime: string;
  metadata: Record<string, unknown>;
}
export interface ReportRow {
  total_spend: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  failed_requests: number;
  unpriced_requests: number;
  [group: string]: string | number | null;
}
export interface ModelEntry {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: { id: string; db_model: boolean; provider: string; error?: string };
}
/** GET /health/deployments: a deployment's router state. */
export interface DeploymentState {
  model_name: string;
  model_id: string;
  provider: string;
  state: "healthy" | "cooling_down" | "unusable";
  cooldown_until: string | null;
  failures_last_minute: number;
  in_flight: number;
  latency_ms: number | null;
  error?: string;
}
export interface Team {
  team_id: string;
  team_alias: string | null;
  models: string[];
  max_budget: number | null;
  spend: number;
  blocked: boolean;
  rpm_limit: number | null;
  tpm_limit: number | null;
}

/** GET /ui/api/session: who is signed in, and which sign-in ways the gateway offers. */
export interface SessionInfo {
  signed_in: boolean;
  user_id: string | null;
  user_role: string | null;
  cloudflare_access: boolean;
  access_assertion: boolean;
  /** Once signed in: the caller's role, the teams it is an admin of, and every admin route (`METHOD /path`) its grants allow. */
  role?: string;
  team_admin_of?: string[];
  routes?: string[];
}

/** What a sign-in answers (the password form's and Cloudflare Access's). */
export interface SignedIn {
  user_id: string | null;
  user_role: string;
}

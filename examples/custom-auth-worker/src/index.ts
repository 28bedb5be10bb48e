/**
 * A complete custom auth hook for Switchyard (`general_settings.custom_auth: service:AUTH_HOOK`).
 *
 * Switchyard POSTs `{method, path, headers, api_key, model}` for every request it does not recognise
 * itself (mode `auto`) or for every request but the master key's (mode `on`), and expects
 * `{allow: true, team_id?, user_id?, end_user_id?, key_alias?, models?, rpm_limit?, tpm_limit?,
 * max_parallel_requests?, metadata?}` or `{allow: false, message?}`. Any other answer, an error or
 * a timeout refuses the request (503): the gateway never fails open.
 *
 * This one looks the presented credential up in HOOK_TOKENS, a JSON object (a Worker secret)
 * mapping a token to what it may do, e.g.
 *   {"tok-analytics": {"team_id": "analytics", "rpm_limit": 60, "models": ["gpt-4o-mini"]}}
 * Replace `decide` with your own logic (call your session store, check an HMAC, ...).
 */
export interface HookEnv {
  HOOK_TOKENS?: string;
}

export interface HookRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  api_key: string | null;
  /** The model a model call's body names; null on admin routes. */
  model: string | null;
}

export type HookAnswer = { allow: false; message?: string } | ({ allow: true } & Record<string, unknown>);

function tokens(env: HookEnv): Record<string, Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(env.HOOK_TOKENS ?? "{}");
    return parsed && typeof parsed === "object" ? (parsed as Record<string, Record<string, unknown>>) : {};
  } catch {
    return {};
  }
}

/** The decision for one request. */
export function decide(req: HookRequest, env: HookEnv): HookAnswer {
  const key = req.api_key;
  if (!key) return { allow: false, message: "no credential" };
  const table = tokens(env);
  const grant = Object.hasOwn(table, key) ? table[key] : undefined;
  if (!grant) return { allow: false, message: "unknown token" };
  // An example of a rule on the request itself: these tokens never reach admin routes.
  if (!req.path.startsWith("/v1/") && !req.path.startsWith("/chat/")) return { allow: false, message: "model routes only" };
  return { allow: true, ...grant };
}

export default {
  async fetch(request: Request, env: HookEnv): Promise<Response> {
    if (request.method !== "POST") return new Response("POST only", { status: 405 });
    let body: HookRequest;
    try {
      body = (await request.json()) as HookRequest;
    } catch {
      return new Response("bad request", { status: 400 });
    }
    return Response.json(decide(body, env));
  },
};

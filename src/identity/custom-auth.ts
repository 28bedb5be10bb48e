import * as z from "zod/mini";
import type { CustomAuthSettings } from "../config/custom-auth-settings";
import { db } from "../db/client";
import { findTeam } from "../db/teams";
import type { Env } from "../env";
import type { AuthRequest, Principal } from "../http/auth";
import { GatewayError, unauthorized } from "../http/errors";
import { identityKey } from "./synthetic-key";

/**
 * The custom auth hook's protocol (the same JSON for a Service Binding and an HTTPS endpoint, and
 * the same objects for an RPC entrypoint's `authenticate()`):
 * POST `{method, path, headers, api_key, model}` -> `{allow, message?, user_id?, team_id?, end_user_id?,
 * key_alias?, models?, rpm_limit?, tpm_limit?, max_parallel_requests?, metadata?}`.
 * `allow: true` makes the answer the caller: its team, user and end user guards apply, and the
 * answer's own models and limits through a guard of its own. Any other field is refused (503):
 * a limit the gateway would not enforce is never accepted.
 */
const count = z.int().check(z.minimum(0));
const id = z.string().check(z.minLength(1), z.maxLength(256));
const hookAnswerSchema = z.strictObject({
  allow: z.boolean(),
  message: z.optional(z.string().check(z.maxLength(500))),
  user_id: z.optional(id),
  team_id: z.optional(id),
  end_user_id: z.optional(id),
  key_alias: z.optional(id),
  models: z.optional(z.array(id).check(z.maxLength(1000))),
  rpm_limit: z.optional(count),
  tpm_limit: z.optional(count),
  max_parallel_requests: z.optional(count),
  metadata: z.optional(z.record(z.string(), z.unknown())),
});
type HookAnswer = z.infer<typeof hookAnswerSchema>;

const failed = (why: string) =>
  new GatewayError(503, `The custom auth hook (general_settings.custom_auth) ${why}; the request was refused.`, "service_unavailable", "custom_auth_unavailable", null, { "retry-after": "1" });

/** The hook's answer: JSON over a Service Binding's fetch or HTTPS, or what its RPC `authenticate()` returns; bounded by the timeout. */
async function callHook(s: CustomAuthSettings, env: Env, request: Record<string, unknown>): Promise<unknown> {
  const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(request), signal: AbortSignal.timeout(s.timeoutMs) };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failed(`did not answer within ${s.timeoutMs / 1000} s`)), s.timeoutMs);
  });
  const t = s.target;
  const call: Promise<unknown> =
    t.kind === "url"
      ? readAnswer(fetch(t.url, { ...init, redirect: "manual" }))
      : t.kind === "rpc"
        ? Promise.resolve((env as unknown as Record<string, { authenticate(r: unknown): Promise<unknown> }>)[t.binding]!.authenticate(request))
        : readAnswer((env as unknown as Record<string, Fetcher>)[t.binding]!.fetch("https://custom-auth.internal/authenticate", init));
  try {
    return await Promise.race([call, timeout]);
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw failed(
      e instanceof Error && e.name === "TimeoutError"
        ? `did not answer within ${s.timeoutMs / 1000} s`
        : t.kind === "rpc"
          ? "failed (its authenticate() threw, or the binding has no such method)"
          : "could not be reached",
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function readAnswer(answer: Promise<Response>): Promise<unknown> {
  const res = await answer;
  if (!res.ok) throw failed(`answered HTTP ${res.status}`);
  try {
    return JSON.parse(await res.text());
  } catch {
    throw failed("answered something that is not JSON");
  }
}

/** Asks the hook about a request; its answer as a principal (allow), a 401 (deny) or a 503 (anything else). */
export async function hookPrincipal(presented: string | undefined, req: AuthRequest, s: CustomAuthSettings): Promise<Principal> {
  if (s.error) throw failed(`is not usable: ${s.error}`);
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    headers[k] = v;
  });
  // The model a model call's body names (null on admin routes or when the body names none).
  const model = (await req.model?.().catch(() => undefined)) ?? null;
  const raw = await callHook(s, req.env, { method: req.method, path: req.path, headers, api_key: presented ?? null, model });
  const parsed = hookAnswerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") throw failed(`answered fields the gateway does not enforce (${issue.keys.join(", ")})`);
    throw failed(`answered an unusable ${issue?.path.length ? `field '${issue.path.join(".")}'` : "answer"} (${issue?.message ?? "invalid"})`);
  }
  const a = parsed.data;
  if (!a.allow) throw unauthorized(a.message ? `Refused by the custom auth hook: ${a.message}` : "Refused by the custom auth hook.");
  if (!a.team_id && !a.user_id && !hasOwnLimits(a)) {
    throw failed("allowed a caller without team_id, user_id, models or limits (nothing would bound its calls)");
  }
  const team = a.team_id ? await findTeam(db(req.env.DB), a.team_id) : undefined;
  if (a.team_id && !team) throw unauthorized(`The custom auth hook's team '${a.team_id}' does not exist on this gateway.`);
  const key = identityKey({
    label: `hook:${a.key_alias ?? a.user_id ?? ""}@${a.team_id ?? ""}`,
    keyAlias: a.key_alias ?? null,
    teamId: a.team_id ?? null,
    userId: a.user_id ?? null,
    models: a.models ?? [],
    rpmLimit: a.rpm_limit ?? null,
    tpmLimit: a.tpm_limit ?? null,
    maxParallelRequests: a.max_parallel_requests ?? null,
    metadata: a.metadata ?? {},
    teamModelAliases: team?.modelAliases ?? null,
    teamOrganizationId: team?.organizationId ?? null,
    teamLogging: team?.metadata?.logging ?? null,
  });
  return { kind: "key", key, via: "custom_auth", ...(a.end_user_id ? { endUser: a.end_user_id } : {}) };
}

const hasOwnLimits = (a: Pick<HookAnswer, "models" | "rpm_limit" | "tpm_limit" | "max_parallel_requests">): boolean =>
  !!a.models?.length || a.rpm_limit !== undefined || a.tpm_limit !== undefined || a.max_parallel_requests !== undefined;

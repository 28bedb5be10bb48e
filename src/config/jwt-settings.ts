/**
 * LiteLLM's JWT auth settings: `general_settings.enable_jwt_auth: true` with
 * `general_settings.litellm_jwtauth`, the JWKS at the `JWT_PUBLIC_KEY_URL` binding and the
 * audience at `JWT_AUDIENCE` (LiteLLM's variable names). JWT auth fails closed: when it is on but
 * cannot be used safely (no JWKS URL, no audience, an option Switchyard does not honour), `error`
 * says why and every JWT is refused with a 503 naming it; virtual keys keep working.
 */
export interface JwtSettings {
  /** Why JWTs cannot be accepted (a config problem); undefined when JWT auth is usable. */
  error?: string;
  publicKeyUrl: string;
  audience: string;
  /** `litellm_jwtauth.issuer`: the `iss` every token must carry, when set. */
  issuer?: string;
  /** A token whose `scope` claim (space separated) holds this is a proxy admin (admin routes only). */
  adminScope: string;
  teamIdField?: string;
  teamIdsField?: string;
  teamIdDefault?: string;
  orgIdField?: string;
  userIdField?: string;
  userEmailField?: string;
  userAllowedEmailDomain?: string;
  endUserIdField?: string;
  /** Create the user named by user_id_jwt_field when it does not exist (role internal_user, no limits). */
  userIdUpsert: boolean;
  /** How long fetched public keys are used before they are fetched again (LiteLLM's default: 600 s). */
  publicKeyTtlMs: number;
}

/** The litellm_jwtauth options honoured; any other is a config error (an ignored restriction would open a door). */
const STRING_FIELDS = {
  admin_jwt_scope: "adminScope",
  team_id_jwt_field: "teamIdField",
  team_ids_jwt_field: "teamIdsField",
  team_id_default: "teamIdDefault",
  org_id_jwt_field: "orgIdField",
  user_id_jwt_field: "userIdField",
  user_email_jwt_field: "userEmailField",
  user_allowed_email_domain: "userAllowedEmailDomain",
  end_user_id_jwt_field: "endUserIdField",
  issuer: "issuer",
} as const satisfies Record<string, keyof JwtSettings>;

export const JWT_AUTH_KEYS = [...Object.keys(STRING_FIELDS), "user_id_upsert", "public_key_ttl"];

const DEFAULT_TTL_S = 600;

/**
 * The JWT settings when `enable_jwt_auth` is true (undefined when off). Throws a `path: problem`
 * string for a malformed value (the whole config is invalid then, as for any other section).
 */
export function parseJwtSettings(general: Record<string, unknown>, env: Record<string, unknown>): JwtSettings | undefined {
  const enabled = general.enable_jwt_auth;
  if (enabled === undefined || enabled === null || enabled === false) return undefined;
  if (enabled !== true) throw "general_settings.enable_jwt_auth: must be true or false";
  const raw = general.litellm_jwtauth ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw "general_settings.litellm_jwtauth: must be a mapping of options";
  const out: JwtSettings = {
    publicKeyUrl: typeof env.JWT_PUBLIC_KEY_URL === "string" ? env.JWT_PUBLIC_KEY_URL.trim() : "",
    audience: typeof env.JWT_AUDIENCE === "string" ? env.JWT_AUDIENCE.trim() : "",
    adminScope: "litellm_proxy_admin",
    userIdUpsert: false,
    publicKeyTtlMs: DEFAULT_TTL_S * 1000,
  };
  const problems: string[] = [];
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const path = `general_settings.litellm_jwtauth.${k}`;
    if (v === null || v === undefined) continue;
    if (k in STRING_FIELDS) {
      if (typeof v !== "string" || !v) throw `${path}: must be a non-empty string`;
      out[STRING_FIELDS[k as keyof typeof STRING_FIELDS]] = v;
    } else if (k === "user_id_upsert") {
      if (typeof v !== "boolean") throw `${path}: must be true or false`;
      out.userIdUpsert = v;
    } else if (k === "public_key_ttl") {
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw `${path}: must be a number of seconds > 0`;
      out.publicKeyTtlMs = v * 1000;
    } else problems.push(`${path} is not supported yet`);
  }
  if (!out.publicKeyUrl) problems.push("the JWT_PUBLIC_KEY_URL binding (the identity provider's JWKS URL) is not set");
  else if (!/^https?:\/\//i.test(out.publicKeyUrl) || out.publicKeyUrl.includes(",")) problems.push("JWT_PUBLIC_KEY_URL must be one http(s) URL of a JWKS");
  if (!out.audience) problems.push("the JWT_AUDIENCE binding is not set (JWT auth without an audience check would accept tokens issued for any application)");
  if (problems.length) out.error = `JWT auth (general_settings.enable_jwt_auth) is on but unusable: ${problems.join("; ")}. Every JWT is refused until this is fixed.`;
  return out;
}

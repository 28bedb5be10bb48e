import { JWT_ROLE_KEYS, parseJwtRoles, type JwtRoleSettings } from "./jwt-roles";

/** The claims that name a token's team(s), user, organization and end user (dotted names read nested claims). */
export interface JwtClaimFields {
  teamIdField?: string;
  teamIdsField?: string;
  orgIdField?: string;
  userIdField?: string;
  userEmailField?: string;
  endUserIdField?: string;
}

/**
 * One identity provider the gateway trusts: its JWKS URL(s), the audience its tokens must carry,
 * the issuer (`iss`) when known, and the claim names of its tokens where they differ from the
 * global ones (litellm_jwtauth.issuers[]).
 */
export interface JwtProvider {
  jwksUrls: string[];
  audience: string;
  issuer?: string;
  fields: JwtClaimFields;
}

/**
 * LiteLLM's JWT auth settings: `general_settings.enable_jwt_auth: true` with
 * `general_settings.litellm_jwtauth`, the JWKS at the `JWT_PUBLIC_KEY_URL` binding (one URL or a
 * comma-separated list) and the audience at `JWT_AUDIENCE` (LiteLLM's variable names), and/or
 * `litellm_jwtauth.issuers` (one entry per identity provider). JWT auth fails closed: when it is
 * on but cannot be used safely (no provider, no audience, an option Switchyard does not honour),
 * `error` says why and every JWT is refused with a 503 naming it; virtual keys keep working.
 */
export interface JwtSettings extends JwtClaimFields, JwtRoleSettings {
  /** Why JWTs cannot be accepted (a config problem); undefined when JWT auth is usable. */
  error?: string;
  /** JWT_PUBLIC_KEY_URL + JWT_AUDIENCE + litellm_jwtauth.issuer; undefined when JWT_PUBLIC_KEY_URL is not set. */
  global?: JwtProvider;
  /** litellm_jwtauth.issuers: a token whose `iss` is one of these is verified by that entry only. */
  issuers: JwtProvider[];
  /** A token whose `scope` claim (space separated) holds this is a proxy admin (admin routes only). */
  adminScope: string;
  teamIdDefault?: string;
  userAllowedEmailDomain?: string;
  /** Create the user named by user_id_jwt_field when it does not exist (role internal_user, no limits). */
  userIdUpsert: boolean;
  /** Create the team named by team_id_jwt_field (or chosen by x-litellm-team-id) when it does not exist (no limits). */
  teamIdUpsert: boolean;
  /** How long fetched public keys are used before they are fetched again (LiteLLM's default: 600 s). */
  publicKeyTtlMs: number;
}

const CLAIM_FIELDS = {
  team_id_jwt_field: "teamIdField",
  team_ids_jwt_field: "teamIdsField",
  org_id_jwt_field: "orgIdField",
  user_id_jwt_field: "userIdField",
  user_email_jwt_field: "userEmailField",
  end_user_id_jwt_field: "endUserIdField",
} as const satisfies Record<string, keyof JwtClaimFields>;

/** The litellm_jwtauth options honoured; any other is a config error (an ignored restriction would open a door). */
const STRING_FIELDS = {
  ...CLAIM_FIELDS,
  admin_jwt_scope: "adminScope",
  team_id_default: "teamIdDefault",
  user_allowed_email_domain: "userAllowedEmailDomain",
} as const satisfies Record<string, keyof JwtSettings>;

const BOOLEAN_FIELDS = { user_id_upsert: "userIdUpsert", team_id_upsert: "teamIdUpsert" } as const;

const DEFAULT_TTL_S = 600;
const HTTP_URL = /^https?:\/\/[^\s,]+$/i;

/** One entry of litellm_jwtauth.issuers; a missing or unsupported part is a problem (the entry is then unusable). */
function parseIssuer(raw: unknown, i: number, problems: string[]): JwtProvider | undefined {
  const path = `general_settings.litellm_jwtauth.issuers[${i}]`;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw `${path}: must be a mapping {issuer, jwks_url, audience, ...claim fields}`;
  const out: JwtProvider = { jwksUrls: [], audience: "", fields: {} };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (k === "issuer" || k === "jwks_url" || k === "audience" || k in CLAIM_FIELDS) {
      if (typeof v !== "string" || !v) throw `${path}.${k}: must be a non-empty string`;
      if (k === "issuer") out.issuer = v;
      else if (k === "audience") out.audience = v;
      else if (k === "jwks_url") {
        if (!HTTP_URL.test(v)) throw `${path}.jwks_url: must be an http(s) URL of a JWKS`;
        out.jwksUrls = [v];
      } else out.fields[CLAIM_FIELDS[k as keyof typeof CLAIM_FIELDS]] = v;
    } else problems.push(`${path}.${k} is not supported yet`);
  }
  if (!out.issuer) throw `${path}.issuer: required (the exact \`iss\` of this provider's tokens)`;
  if (!out.jwksUrls.length) problems.push(`${path}.jwks_url is required (OIDC discovery is not supported yet)`);
  if (!out.audience) problems.push(`${path}.audience is required (JWT auth without an audience check would accept tokens issued for any application)`);
  return out;
}

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
  const opts = raw as Record<string, unknown>;
  const out: JwtSettings = { ...parseJwtRoles(opts), issuers: [], adminScope: "litellm_proxy_admin", userIdUpsert: false, teamIdUpsert: false, publicKeyTtlMs: DEFAULT_TTL_S * 1000 };
  const problems: string[] = [];
  let issuer: string | undefined;
  for (const [k, v] of Object.entries(opts)) {
    const path = `general_settings.litellm_jwtauth.${k}`;
    if (v === null || v === undefined || JWT_ROLE_KEYS.includes(k)) continue;
    if (k in STRING_FIELDS || k === "issuer") {
      if (typeof v !== "string" || !v) throw `${path}: must be a non-empty string`;
      if (k === "issuer") issuer = v;
      else out[STRING_FIELDS[k as keyof typeof STRING_FIELDS]] = v;
    } else if (k in BOOLEAN_FIELDS) {
      if (typeof v !== "boolean") throw `${path}: must be true or false`;
      out[BOOLEAN_FIELDS[k as keyof typeof BOOLEAN_FIELDS]] = v;
    } else if (k === "enforce_rbac") {
      if (typeof v !== "boolean") throw `${path}: must be true or false`;
      // Switchyard always refuses a token that names no admin scope, team, user or role.
      if (!v) problems.push(`${path}: false is not supported (a token that names no team, user or role is always refused)`);
    } else if (k === "public_key_ttl") {
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw `${path}: must be a number of seconds > 0`;
      out.publicKeyTtlMs = v * 1000;
    } else if (k === "issuers") {
      if (!Array.isArray(v) || !v.length) throw `${path}: must be a non-empty list of {issuer, jwks_url, audience, ...}`;
      out.issuers = v.map((e, i) => parseIssuer(e, i, problems)).filter((p): p is JwtProvider => !!p);
      const seen = new Set<string>();
      for (const p of out.issuers) {
        if (seen.has(p.issuer!)) throw `${path}: the issuer '${p.issuer}' is listed twice`;
        seen.add(p.issuer!);
      }
    } else problems.push(`${path} is not supported yet`);
  }
  const urlList = typeof env.JWT_PUBLIC_KEY_URL === "string" ? env.JWT_PUBLIC_KEY_URL.trim() : "";
  const audience = typeof env.JWT_AUDIENCE === "string" ? env.JWT_AUDIENCE.trim() : "";
  if (urlList) {
    const urls = urlList
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    if (!urls.every((u) => HTTP_URL.test(u))) problems.push("JWT_PUBLIC_KEY_URL must be an http(s) URL of a JWKS, or a comma-separated list of them");
    if (!audience) problems.push("the JWT_AUDIENCE binding is not set (JWT auth without an audience check would accept tokens issued for any application)");
    out.global = { jwksUrls: urls, audience, ...(issuer ? { issuer } : {}), fields: {} };
  } else if (!out.issuers.length) {
    problems.push("the JWT_PUBLIC_KEY_URL binding (the identity provider's JWKS URL) is not set, and litellm_jwtauth.issuers lists no provider");
  } else if (issuer) {
    problems.push("litellm_jwtauth.issuer applies to the keys at JWT_PUBLIC_KEY_URL, which is not set (give each provider its issuer in litellm_jwtauth.issuers)");
  }
  if (problems.length) out.error = `JWT auth (general_settings.enable_jwt_auth) is on but unusable: ${problems.join("; ")}. Every JWT is refused until this is fixed.`;
  return out;
}

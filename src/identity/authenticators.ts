import type { Authenticators } from "../http/auth";
import { configError } from "../http/errors";
import { hashKey } from "../http/key-header";
import { cachedPrincipal, cachePrincipal } from "./jwt/cache";
import { jwtPrincipal } from "./jwt/principal";
import { chooseTeam } from "./jwt/team-choice";
import { looksLikeJwt } from "./jwt/verify";
import { hookPrincipal } from "./custom-auth";
import { accessPrincipal, sessionUserPrincipal } from "./access";

/** What identity/ adds to authentication (installed by the app: see http/auth.ts). */
export const identityAuthenticators: Authenticators = {
  /** A JWT-shaped credential when general_settings.enable_jwt_auth is on; fails closed on a config problem. */
  jwt: async (token, req) => {
    const settings = req.config.settings.jwt;
    if (!settings || !looksLikeJwt(token)) return undefined;
    if (settings.error) throw configError(settings.error);
    // The chosen team (x-litellm-team-id) is part of what the token resolves to.
    const id = `${await hashKey(token)}\n${req.headers.get("x-litellm-team-id") ?? ""}`;
    let resolved = cachedPrincipal(id, settings);
    if (!resolved) {
      resolved = await jwtPrincipal(token, settings, req.env, req.headers);
      cachePrincipal(id, settings, resolved);
    }
    return resolved.choices ? chooseTeam(resolved.choices, await req.model?.(), req.config) : resolved.principal;
  },
  /** general_settings.custom_auth: the hook's answer, never cached (the hook decides each request). */
  hook: async (presented, req) => {
    const settings = req.config.settings.customAuth;
    return settings ? hookPrincipal(presented, req, settings) : undefined;
  },
  access: async (assertion, req) => {
    const settings = req.config.settings.access;
    return settings ? accessPrincipal(assertion, req, settings) : undefined;
  },
  session: sessionUserPrincipal,
};

/**
 * `general_settings.cloudflare_access: {team_domain, aud}`: the admin API accepts a Cloudflare
 * Access assertion (the `Cf-Access-Jwt-Assertion` header Access adds in front of the gateway),
 * verified against `https://<team_domain>/cdn-cgi/access/certs` with the application's AUD tag;
 * the assertion's `email` names the user (users.user_email), whose role applies.
 */
export interface AccessSettings {
  teamDomain: string;
  aud: string;
  certsUrl: string;
  issuer: string;
}

export function parseAccessSettings(general: Record<string, unknown>): AccessSettings | undefined {
  const raw = general.cloudflare_access;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw)) throw "general_settings.cloudflare_access: must be {team_domain, aud}";
  const { team_domain, aud, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra) throw `general_settings.cloudflare_access.${extra}: not supported (team_domain, aud)`;
  if (typeof team_domain !== "string" || !team_domain) throw "general_settings.cloudflare_access.team_domain: must be your Access team domain, e.g. acme.cloudflareaccess.com";
  if (typeof aud !== "string" || !aud) throw "general_settings.cloudflare_access.aud: must be the Access application's AUD tag";
  const host = team_domain.replace(/^https:\/\//i, "").replace(/\/+$/, "");
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host)) throw "general_settings.cloudflare_access.team_domain: must be a host name, e.g. acme.cloudflareaccess.com";
  return { teamDomain: host, aud, certsUrl: `https://${host}/cdn-cgi/access/certs`, issuer: `https://${host}` };
}

// Shared by the vertex test files: a service account whose RSA key is generated at run time, and a
// fake OAuth token endpoint that checks the signed JWT the way Google's does (signature, claims).
import { json } from "../helpers/upstream";

export interface TestServiceAccount {
  /** The key file's JSON text, as vertex_credentials takes it. */
  text: string;
  email: string;
  privateKeyPem: string;
  publicKey: CryptoKey;
}

const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const fromB64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** A fresh service account: a new 2048-bit RSA key (PKCS#8 PEM), for `tokenUri`. */
export async function testServiceAccount(tokenUri: string, name = "gateway", extra: Record<string, unknown> = {}): Promise<TestServiceAccount> {
  const pair = (await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const der = b64((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const privateKeyPem = `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
  const email = `${name}@demo-project.iam.gserviceaccount.com`;
  const text = JSON.stringify({
    type: "service_account",
    project_id: "demo-project",
    private_key_id: `kid-${name}`,
    private_key: privateKeyPem,
    client_email: email,
    client_id: "1234567890",
    token_uri: tokenUri,
    ...extra,
  });
  return { text, email, privateKeyPem, publicKey: pair.publicKey };
}

export interface TokenRequestSeen {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  grantType: string | null;
}

/**
 * A token endpoint handler: verifies the assertion's RS256 signature with the account's public
 * key and its claims, and answers `{access_token, expires_in}`; a bad assertion gets Google's
 * `invalid_grant` 400. Each request it accepted is recorded in `seen`.
 */
export function tokenEndpoint(sa: TestServiceAccount, token: string, seen: TokenRequestSeen[], expiresIn = 3599) {
  return async (_req: Request, body: string): Promise<Response> => {
    const form = new URLSearchParams(body);
    const assertion = form.get("assertion") ?? "";
    const [h, c, s] = assertion.split(".");
    if (!h || !c || !s) return json({ error: "invalid_request", error_description: "Missing assertion." }, 400);
    const valid = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", sa.publicKey, fromB64url(s), new TextEncoder().encode(`${h}.${c}`));
    if (!valid) return json({ error: "invalid_grant", error_description: "Invalid JWT Signature." }, 400);
    const header = JSON.parse(new TextDecoder().decode(fromB64url(h))) as Record<string, unknown>;
    const claims = JSON.parse(new TextDecoder().decode(fromB64url(c))) as Record<string, unknown>;
    seen.push({ header, claims, grantType: form.get("grant_type") });
    return json({ access_token: token, expires_in: expiresIn, token_type: "Bearer" });
  };
}

// An independent SigV4 signature check for the bedrock tests, written from AWS's "Create a signed
// request" steps with WebCrypto (no aws4fetch): it recomputes the signature of a request the fake
// upstream received. It is itself checked against AWS's published get-vanilla test vector.

const enc = new TextEncoder();
const hex = (buf: ArrayBuffer): string => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (data: string | Uint8Array): Promise<string> => hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? enc.encode(data) : data));

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** RFC 3986 encoding: everything but unreserved characters. */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignatureInput {
  method: string;
  url: string;
  /** Lowercase header names -> values, as received. */
  headers: Record<string, string>;
  body: string;
  secretAccessKey: string;
  region: string;
  service: string;
  signedHeaders: string[];
  amzDate: string;
}

export async function sigv4(input: SignatureInput): Promise<{ canonicalRequest: string; signature: string }> {
  const url = new URL(input.url);
  // Non-S3 services: each path segment is URI-encoded twice; the URL's path is already encoded once.
  const canonicalUri =
    url.pathname
      .split("/")
      .map((seg) => uriEncode(seg))
      .join("/") || "/";
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const names = [...input.signedHeaders].sort();
  const value = (name: string) => (name === "host" ? url.host : (input.headers[name] ?? "").trim().replace(/\s+/g, " "));
  const canonicalHeaders = names.map((n) => `${n}:${value(n)}\n`).join("");
  const canonicalRequest = [input.method, canonicalUri, canonicalQuery, canonicalHeaders, names.join(";"), await sha256(input.body)].join("\n");
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, await sha256(canonicalRequest)].join("\n");
  let key = await hmac(enc.encode(`AWS4${input.secretAccessKey}`), day);
  for (const part of [input.region, input.service, "aws4_request"]) key = await hmac(key, part);
  return { canonicalRequest, signature: hex(await hmac(key, stringToSign)) };
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/bedrock/aws4_request, SignedHeaders=a;b, Signature=hex` in parts. */
export function parseAuthorization(header: string): { accessKeyId: string; day: string; region: string; service: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(header);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, day: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(";"), signature: m[6]! };
}

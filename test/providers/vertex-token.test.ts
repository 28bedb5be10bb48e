import { afterEach, describe, expect, it } from "vitest";
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import { vertexChat, vertexEmbeddings } from "../../src/providers/vertex";
import { serviceAccount } from "../../src/providers/vertex/credentials";
import { accessToken, SCOPE } from "../../src/providers/vertex/token";
import { parseChatRequest } from "../../src/api/chat";
import { parseEmbeddingsRequest } from "../../src/api/embeddings";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { adapterCtx } from "./gemini-helpers";
import { testServiceAccount, tokenEndpoint, type TokenRequestSeen } from "./vertex-helpers";

afterEach(resetUpstreams);

const vertexDep = (params: Record<string, unknown>, extra: Partial<Deployment> = {}): Deployment => ({
  id: "vx-unit",
  modelName: "vertex",
  provider: "vertex_ai",
  model: "gemini-2.5-flash",
  params,
  costs: {},
  ...extra,
});

async function gatewayError(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a GatewayError");
}

describe("vertex service-account tokens", () => {
  it("signs an RS256 JWT for the cloud-platform scope and exchanges it once; concurrent and later calls reuse the token", async () => {
    const sa = await testServiceAccount("https://oauth2.unit.test/token", "unit-a");
    const seen: TokenRequestSeen[] = [];
    fakeUpstream("https://oauth2.unit.test/token", tokenEndpoint(sa, "ya29.unit-a", seen));
    const account = serviceAccount(vertexDep({ vertex_credentials: sa.text }))!;
    const tokens = await Promise.all([accessToken(account), accessToken(account), accessToken(account)]);
    expect(tokens).toEqual(["ya29.unit-a", "ya29.unit-a", "ya29.unit-a"]);
    expect(await accessToken(account)).toBe("ya29.unit-a");
    expect(seen).toHaveLength(1);
    const { header, claims, grantType } = seen[0]!;
    expect(grantType).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(header).toEqual({ alg: "RS256", typ: "JWT", kid: "kid-unit-a" });
    expect(claims).toMatchObject({ iss: sa.email, scope: SCOPE, aud: "https://oauth2.unit.test/token" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(received[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("fetches a new token shortly before the old one expires", async () => {
    const sa = await testServiceAccount("https://oauth2.unit.test/short", "unit-b");
    const seen: TokenRequestSeen[] = [];
    fakeUpstream("https://oauth2.unit.test/short", tokenEndpoint(sa, "ya29.short", seen, 4));
    const account = serviceAccount(vertexDep({ vertex_credentials: sa.text }))!;
    await accessToken(account);
    await accessToken(account, Date.now() + 1000);
    expect(seen).toHaveLength(1);
    await accessToken(account, Date.now() + 2500);
    expect(seen).toHaveLength(2);
  });

  it("a refused assertion is a 401 that names the OAuth error but never the key or the assertion; a failure is not cached", async () => {
    const sa = await testServiceAccount("https://oauth2.unit.test/refuse", "unit-c");
    const other = await testServiceAccount("https://oauth2.unit.test/refuse", "unit-c");
    // The endpoint knows another key: the signature does not verify.
    fakeUpstream("https://oauth2.unit.test/refuse", tokenEndpoint(other, "never", []));
    const account = serviceAccount(vertexDep({ vertex_credentials: sa.text }))!;
    const e = await gatewayError(accessToken(account));
    expect(e).toMatchObject({ status: 401, type: "authentication_error" });
    expect(e.message).toContain("invalid_grant: Invalid JWT Signature.");
    expect(e.message).toContain(sa.email);
    const keyBody = sa.privateKeyPem.split("\n")[1]!;
    expect(e.message).not.toContain(keyBody);
    expect(e.message).not.toContain(received[0]!.body.slice(-40));
    fakeUpstream("https://oauth2.unit.test/refuse", tokenEndpoint(sa, "ya29.now-ok", []));
    expect(await accessToken(account)).toBe("ya29.now-ok");
  });

  it("an unreachable or failing token endpoint is a 503", async () => {
    const down = await testServiceAccount("https://oauth2.unit.test/down", "unit-d");
    fakeUpstream("https://oauth2.unit.test/down", () => new Response("upstream connect error", { status: 502 }));
    expect(await gatewayError(accessToken(serviceAccount(vertexDep({ vertex_credentials: down.text }))!))).toMatchObject({ status: 503, message: expect.stringContaining("HTTP 502") });
    const nowhere = await testServiceAccount("https://oauth2.nowhere.test/token", "unit-e");
    expect(await gatewayError(accessToken(serviceAccount(vertexDep({ vertex_credentials: nowhere.text }))!))).toMatchObject({ status: 503, message: expect.stringContaining("could not be reached") });
    const empty = await testServiceAccount("https://oauth2.unit.test/empty", "unit-f");
    fakeUpstream("https://oauth2.unit.test/empty", () => json({ token_type: "Bearer" }));
    expect(await gatewayError(accessToken(serviceAccount(vertexDep({ vertex_credentials: empty.text }))!))).toMatchObject({ status: 503, message: expect.stringContaining("without an access_token") });
  });
});

describe("vertex credentials and URLs", () => {
  it("refuses unusable vertex_credentials with a 503 config_error that never quotes them", async () => {
    const bad = (v: unknown) => gatewayError(Promise.resolve().then(() => serviceAccount(vertexDep({ vertex_credentials: v }))));
    const notJson = await bad("/path/to/key-with-secret.json");
    expect(notJson).toMatchObject({ status: 503, type: "config_error" });
    expect(notJson.message).not.toContain("key-with-secret");
    expect((await bad(JSON.stringify({ type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----x" }))).message).toContain("client_email");
    expect((await bad(JSON.stringify({ type: "authorized_user", client_email: "a", private_key: "PRIVATE KEY" }))).message).toContain("service_account");
    expect((await bad(JSON.stringify({ client_email: "a@b", private_key: "-----BEGIN PRIVATE KEY-----", token_uri: "http://plain.test/token" }))).message).toContain("https");
    const garbledKey = serviceAccount(
      vertexDep({ vertex_credentials: { client_email: "g@x", private_key: "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----", token_uri: "https://oauth2.unit.test/g" } }),
    )!;
    expect(await gatewayError(accessToken(garbledKey))).toMatchObject({ status: 503, type: "config_error", message: expect.stringContaining("PKCS#8") });
  });

  it("builds regional and global URLs, takes the project from the key file, and needs credentials or an api_key", async () => {
    const sa = await testServiceAccount("https://oauth2.unit.test/urls", "unit-g");
    fakeUpstream("https://oauth2.unit.test/urls", tokenEndpoint(sa, "ya29.urls", []));
    const req = parseChatRequest({ model: "v", messages: [{ role: "user", content: "q" }] });
    const regional = await vertexChat.request(req, vertexDep({ vertex_credentials: sa.text, vertex_location: "europe-west4" }), adapterCtx());
    expect(regional.url).toBe("https://europe-west4-aiplatform.googleapis.com/v1/projects/demo-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent");
    expect(regional.headers.get("authorization")).toBe("Bearer ya29.urls");
    const global = await vertexChat.request(
      parseChatRequest({ model: "v", messages: [{ role: "user", content: "q" }], stream: true }),
      vertexDep({ vertex_credentials: sa.text, vertex_project: "other-proj", vertex_location: "global" }),
      adapterCtx(),
    );
    expect(global.url).toBe("https://aiplatform.googleapis.com/v1/projects/other-proj/locations/global/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    const based = await vertexChat.request(req, vertexDep({ vertex_credentials: sa.text }, { apiBase: "https://vertex-proxy.test/" }), adapterCtx());
    expect(based.url).toBe("https://vertex-proxy.test/v1/projects/demo-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent");
    const embed = await vertexEmbeddings.request(
      parseEmbeddingsRequest({ model: "e", input: "hi", dimensions: 256 }),
      vertexDep({ vertex_credentials: sa.text }, { model: "text-embedding-005" }),
      adapterCtx(),
    );
    expect(embed.url).toBe("https://us-central1-aiplatform.googleapis.com/v1/projects/demo-project/locations/us-central1/publishers/google/models/text-embedding-005:predict");
    expect(await embed.json()).toEqual({ instances: [{ content: "hi" }], parameters: { outputDimensionality: 256 } });
    expect(await gatewayError(Promise.resolve(vertexChat.request(req, vertexDep({}), adapterCtx())))).toMatchObject({ status: 503, message: expect.stringContaining("vertex_credentials") });
    expect(await gatewayError(Promise.resolve(vertexChat.request(req, vertexDep({ vertex_credentials: sa.text, vertex_location: "us-central1/../x" }), adapterCtx())))).toMatchObject({ status: 503 });
  });

  it("refuses a bad request before asking for a token", async () => {
    const sa = await testServiceAccount("https://oauth2.unit.test/never", "unit-h");
    const seen: TokenRequestSeen[] = [];
    fakeUpstream("https://oauth2.unit.test/never", tokenEndpoint(sa, "ya29.never", seen));
    const req = parseChatRequest({ model: "v", messages: [{ role: "user", content: "q" }], logprobs: true });
    expect(await gatewayError(Promise.resolve(vertexChat.request(req, vertexDep({ vertex_credentials: sa.text }), adapterCtx())))).toMatchObject({ status: 400, param: "logprobs" });
    expect(seen).toHaveLength(0);
  });
});

import { AwsV4Signer } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { bedrockChat } from "../../src/providers/bedrock";
import { converseUrl, runtimeBase } from "../../src/providers/bedrock/request";
import { regionOf, signedPost } from "../../src/providers/bedrock/sign";
import { parseChatRequest } from "../../src/api/chat";
import { ACCESS_KEY, adapterCtx, bedrockDep, SECRET_KEY, SESSION_TOKEN } from "./bedrock-helpers";
import { parseAuthorization, sigv4 } from "./bedrock-sigv4";

const chat = (extra: Record<string, unknown> = {}) => parseChatRequest({ model: "claude-bedrock", messages: [{ role: "user", content: "Hi" }], ...extra });
const headersOf = (r: Request): Record<string, string> => Object.fromEntries([...r.headers]);

async function configError(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a config error");
}

describe("the test's own SigV4 check", () => {
  it("reproduces AWS's published get-vanilla signature", async () => {
    const { signature } = await sigv4({
      method: "GET",
      url: "https://example.amazonaws.com/",
      headers: { "x-amz-date": "20150830T123600Z" },
      body: "",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      region: "us-east-1",
      service: "service",
      signedHeaders: ["host", "x-amz-date"],
      amzDate: "20150830T123600Z",
    });
    expect(signature).toBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });
});

describe("bedrock URLs", () => {
  it("uses the region's runtime endpoint, with the model id percent-encoded", () => {
    expect(converseUrl(bedrockDep("anthropic.claude-3-5-sonnet-20240620-v1:0"), false)).toBe(
      "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
    );
    expect(converseUrl(bedrockDep("us.amazon.nova-lite-v1:0"), true)).toBe("https://bedrock-runtime.us-west-2.amazonaws.com/model/us.amazon.nova-lite-v1%3A0/converse-stream");
  });

  it("defaults to us-east-1, and to an ARN's own region", () => {
    expect(runtimeBase(bedrockDep(undefined, { aws_region_name: undefined }))).toBe("https://bedrock-runtime.us-east-1.amazonaws.com");
    const arn = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0";
    const dep = bedrockDep(arn, { aws_region_name: undefined });
    expect(regionOf(dep)).toBe("eu-west-1");
    // The whole ARN is one path segment: its ':' and '/' are encoded (a literal '/' is an unknown operation to Bedrock).
    expect(converseUrl(dep, false)).toBe(`https://bedrock-runtime.eu-west-1.amazonaws.com/model/${encodeURIComponent(arn)}/converse`);
    expect(converseUrl(dep, false)).toContain("inference-profile%2Feu.anthropic");
  });

  it("api_base (the host root) wins; model_id names the model in the URL; converse/ is LiteLLM's route prefix", () => {
    const dep = bedrockDep("converse/anthropic.claude-3-haiku-20240307-v1:0", { api_base: "https://vpce-1.bedrock-runtime.test/" }, { apiBase: "https://vpce-1.bedrock-runtime.test/" });
    expect(converseUrl(dep, false)).toBe("https://vpce-1.bedrock-runtime.test/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    const provisioned = bedrockDep("anthropic.claude-3-haiku-20240307-v1:0", { model_id: "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc123" });
    expect(converseUrl(provisioned, false)).toBe("https://bedrock-runtime.us-west-2.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Aprovisioned-model%2Fabc123/converse");
    expect(runtimeBase(bedrockDep(undefined, { aws_bedrock_runtime_endpoint: "https://runtime.example.test" }))).toBe("https://runtime.example.test");
  });

  it("refuses LiteLLM's invoke/ route with a config error", async () => {
    const err = await configError(Promise.resolve().then(() => converseUrl(bedrockDep("invoke/anthropic.claude-3-haiku-20240307-v1:0"), false)));
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/bedrock\/anthropic\.claude-3-haiku/);
  });
});

describe("bedrock request signing", () => {
  it("signs with SigV4 for service 'bedrock': Authorization shape, x-amz-date, and a signature that checks out", async () => {
    const dep = bedrockDep("anthropic.claude-3-5-sonnet-20240620-v1:0");
    const req = await bedrockChat.request(chat({ max_tokens: 50 }), dep, adapterCtx());
    const headers = headersOf(req);
    const body = await req.text();
    expect(req.method).toBe("POST");
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers["x-amz-security-token"]).toBeUndefined();
    const auth = parseAuthorization(headers.authorization!);
    expect(auth).toMatchObject({ accessKeyId: ACCESS_KEY, day: headers["x-amz-date"]!.slice(0, 8), region: "us-west-2", service: "bedrock" });
    expect(auth!.signedHeaders).toEqual(["host", "x-amz-date"]);

    // Recomputed from AWS's steps (independent of aws4fetch), path double-encoded as non-S3 services require.
    const mine = await sigv4({
      method: "POST",
      url: req.url,
      headers,
      body,
      secretAccessKey: SECRET_KEY,
      region: "us-west-2",
      service: "bedrock",
      signedHeaders: auth!.signedHeaders,
      amzDate: headers["x-amz-date"]!,
    });
    expect(mine.canonicalRequest.split("\n")[1]).toBe("/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse");
    expect(auth!.signature).toBe(mine.signature);

    // And recomputed with aws4fetch from the same inputs.
    const again = await new AwsV4Signer({
      method: "POST",
      url: req.url,
      headers: { "content-type": "application/json" },
      body,
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      service: "bedrock",
      region: "us-west-2",
      datetime: headers["x-amz-date"],
    }).sign();
    expect(again.headers.get("authorization")).toBe(headers.authorization);
  });

  it("a changed body breaks the signature (the payload hash is signed)", async () => {
    const dep = bedrockDep();
    const req = await signedPost("https://bedrock-runtime.us-west-2.amazonaws.com/model/x/converse", '{"a":1}', dep, "20240102T030405Z");
    const headers = headersOf(req);
    const auth = parseAuthorization(headers.authorization!)!;
    const input = { method: "POST", url: req.url, headers, secretAccessKey: SECRET_KEY, region: "us-west-2", service: "bedrock", signedHeaders: auth.signedHeaders, amzDate: "20240102T030405Z" };
    expect((await sigv4({ ...input, body: '{"a":1}' })).signature).toBe(auth.signature);
    expect((await sigv4({ ...input, body: '{"a":2}' })).signature).not.toBe(auth.signature);
  });

  it("sends and signs x-amz-security-token for temporary credentials", async () => {
    const dep = bedrockDep(undefined, { aws_session_token: SESSION_TOKEN, aws_region_name: "eu-central-1" });
    const req = await bedrockChat.request(chat(), dep, adapterCtx());
    const headers = headersOf(req);
    expect(headers["x-amz-security-token"]).toBe(SESSION_TOKEN);
    const auth = parseAuthorization(headers.authorization!)!;
    expect(auth.signedHeaders).toEqual(["host", "x-amz-date", "x-amz-security-token"]);
    expect(auth.region).toBe("eu-central-1");
    const mine = await sigv4({
      method: "POST",
      url: req.url,
      headers,
      body: await req.text(),
      secretAccessKey: SECRET_KEY,
      region: "eu-central-1",
      service: "bedrock",
      signedHeaders: auth.signedHeaders,
      amzDate: headers["x-amz-date"]!,
    });
    expect(auth.signature).toBe(mine.signature);
  });

  it("signs an ARN model id's doubly encoded path", async () => {
    const arn = "arn:aws:bedrock:us-west-2:123456789012:application-inference-profile/abc123";
    const req = await bedrockChat.request(chat(), bedrockDep(arn), adapterCtx());
    const headers = headersOf(req);
    const auth = parseAuthorization(headers.authorization!)!;
    const mine = await sigv4({
      method: "POST",
      url: req.url,
      headers,
      body: await req.text(),
      secretAccessKey: SECRET_KEY,
      region: "us-west-2",
      service: "bedrock",
      signedHeaders: auth.signedHeaders,
      amzDate: headers["x-amz-date"]!,
    });
    expect(mine.canonicalRequest.split("\n")[1]).toBe("/model/arn%253Aaws%253Abedrock%253Aus-west-2%253A123456789012%253Aapplication-inference-profile%252Fabc123/converse");
    expect(auth.signature).toBe(mine.signature);
  });

  it("a Bedrock API key (api_key) is sent as a bearer token, unsigned", async () => {
    const dep = bedrockDep(undefined, { aws_access_key_id: undefined, aws_secret_access_key: undefined, api_key: "ABSKbedrock-api-key-0123456789" }, { apiKey: "ABSKbedrock-api-key-0123456789" });
    const req = await bedrockChat.request(chat(), dep, adapterCtx());
    const headers = headersOf(req);
    expect(headers.authorization).toBe("Bearer ABSKbedrock-api-key-0123456789");
    expect(headers["x-amz-date"]).toBeUndefined();
  });

  it("no credentials: a 503 config_error that says what to set", async () => {
    const dep = bedrockDep(undefined, { aws_access_key_id: undefined, aws_secret_access_key: undefined });
    const err = await configError(Promise.resolve().then(() => bedrockChat.request(chat(), dep, adapterCtx())));
    expect(err.status).toBe(503);
    expect(err.code).toBe("config_error");
    expect(err.message).toMatch(/aws_access_key_id and aws_secret_access_key/);
    expect(err.message).toMatch(/AWS_BEARER_TOKEN_BEDROCK/);
    const half = bedrockDep(undefined, { aws_secret_access_key: undefined });
    expect((await configError(Promise.resolve().then(() => bedrockChat.request(chat(), half, adapterCtx())))).message).toMatch(/no aws_secret_access_key/);
  });
});

import { APIError } from "openai";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openaiWith } from "../helpers/gateway";
import { chunked, fakeUpstream, received, resetUpstreams } from "../helpers/upstream";
import { fixtures, geminiSse, splitBytes } from "./gemini-helpers";
import { testServiceAccount, tokenEndpoint, type TestServiceAccount, type TokenRequestSeen } from "./vertex-helpers";

// The service account's key is generated at run time, so these deployments live in a config built
// here (GATEWAY_CONFIG, with the key file's JSON in a binding of its own, as a user would set it)
// rather than in test/fixtures/config/gemini.yaml.
const TOKEN_URI = "https://oauth2.vertex.test/token";
const REGIONAL = "https://us-central1-aiplatform.googleapis.com/";
const GLOBAL = "https://aiplatform.googleapis.com/";

let sa: TestServiceAccount;
let refused: TestServiceAccount;
const seen: TokenRequestSeen[] = [];

const entry = (name: string, model: string, params: Record<string, unknown>) => ({
  model_name: name,
  litellm_params: { model: `vertex_ai/${model}`, vertex_project: "demo-project", vertex_credentials: "os.environ/VERTEX_CREDENTIALS", ...params },
  model_info: { id: name },
});

const config = () =>
  JSON.stringify({
    model_list: [
      entry("vertex-flash", "gemini-2.5-flash", { vertex_location: "us-central1" }),
      entry("vertex-global", "gemini-3-pro-preview", { vertex_location: "global" }),
      entry("vertex-embed", "text-embedding-005", {}),
      entry("vertex-refused", "gemini-2.5-flash", { vertex_credentials: "os.environ/VERTEX_REFUSED_CREDENTIALS" }),
    ],
  });

const client = () => openaiWith({ GATEWAY_CONFIG: config(), VERTEX_CREDENTIALS: sa.text, VERTEX_REFUSED_CREDENTIALS: refused.text });

const answer = (text: string, status = 200) => new Response(text, { status, headers: { "content-type": "application/json" } });

beforeAll(async () => {
  sa = await testServiceAccount(TOKEN_URI, "vertex-e2e");
  refused = await testServiceAccount("https://oauth2.refusing.test/token", "vertex-refused");
});

function fakes(): void {
  fakeUpstream(TOKEN_URI, tokenEndpoint(sa, "ya29.e2e-access-token", seen));
}

afterEach(resetUpstreams);

describe("vertex_ai through the worker with the official openai client", () => {
  it("gets a token from the token endpoint, calls Vertex with it, and reuses it for the next call (one token request)", async () => {
    fakes();
    fakeUpstream(REGIONAL, () => answer(fixtures.recordedText));
    const { data, response } = await client()
      .chat.completions.create({
        model: "vertex-flash",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "How many r's?" },
        ],
        max_tokens: 50,
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toContain("strawberry");
    expect(data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 272 });
    expect(response.headers.get("x-gateway-deployment")).toBe("vertex-flash");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);

    const second = await client().chat.completions.create({ model: "vertex-flash", messages: [{ role: "user", content: "Again?" }] });
    expect(second.choices[0]!.finish_reason).toBe("stop");

    const tokenCalls = received.filter((r) => r.url === TOKEN_URI);
    expect(tokenCalls).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.claims).toMatchObject({ iss: sa.email, aud: TOKEN_URI, scope: "https://www.googleapis.com/auth/cloud-platform" });
    const calls = received.filter((r) => r.url.startsWith(REGIONAL));
    expect(calls).toHaveLength(2);
    for (const up of calls) {
      expect(up.url).toBe("https://us-central1-aiplatform.googleapis.com/v1/projects/demo-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent");
      expect(up.method).toBe("POST");
      expect(up.headers.authorization).toBe("Bearer ya29.e2e-access-token");
      expect(up.headers["x-goog-api-key"]).toBeUndefined();
      expect(up.headers["content-type"]).toBe("application/json");
    }
    expect(calls[0]!.json()).toEqual({
      contents: [{ role: "user", parts: [{ text: "How many r's?" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 50 },
    });
  });

  it("streams from the global endpoint with usage, and a streamed tool call", async () => {
    fakes();
    fakeUpstream(GLOBAL, () => chunked(splitBytes(geminiSse(fixtures.recordedTextStream), 29)));
    const stream = await client().chat.completions.create({ model: "vertex-global", messages: [{ role: "user", content: "q" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.usage) usage = c.usage;
    }
    expect(text).toContain("strawberry");
    expect(usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 208 });
    const up = received.find((r) => r.url.startsWith(GLOBAL))!;
    expect(up.url).toBe("https://aiplatform.googleapis.com/v1/projects/demo-project/locations/global/publishers/google/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
    expect(up.headers.authorization).toMatch(/^Bearer ya29\./);

    fakeUpstream(GLOBAL, () => chunked(splitBytes(geminiSse(fixtures.recordedToolStream), 13)));
    const tools = [{ type: "function" as const, function: { name: "weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }];
    const toolStream = await client().chat.completions.create({ model: "vertex-global", messages: [{ role: "user", content: "Weather?" }], tools, stream: true });
    let name: string | undefined;
    let args = "";
    let finish: string | null | undefined;
    for await (const c of toolStream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect({ name, finish, args: JSON.parse(args) }).toEqual({ name: "weather", finish: "tool_calls", args: { location: "San Francisco" } });
  });

  it("embeds through :predict, with token counts from Vertex's statistics", async () => {
    fakes();
    fakeUpstream(REGIONAL, () => answer(fixtures.vertexPredict));
    const res = await client().embeddings.create({ model: "vertex-embed", input: ["hello world", "second text here"], encoding_format: "float" });
    expect(res.data[1]!.embedding).toEqual([-0.5, 0.125, 0.0625, 0.75]);
    expect(res.usage).toMatchObject({ prompt_tokens: 15, total_tokens: 15 });
    const up = received.find((r) => r.url.startsWith(REGIONAL))!;
    expect(up.url).toBe("https://us-central1-aiplatform.googleapis.com/v1/projects/demo-project/locations/us-central1/publishers/google/models/text-embedding-005:predict");
    expect(up.json()).toEqual({ instances: [{ content: "hello world" }, { content: "second text here" }] });
  });

  it("a token endpoint that refuses the credentials is a 401 naming the OAuth error, with no secret in it; Vertex is never called", async () => {
    fakeUpstream("https://oauth2.refusing.test/token", tokenEndpoint(sa, "never", [])); // knows another key: the signature fails
    fakeUpstream(REGIONAL, () => answer(fixtures.recordedText));
    const err = await client()
      .chat.completions.create({ model: "vertex-refused", messages: [{ role: "user", content: "q" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(401);
    const message = (err as APIError).message;
    expect(message).toContain("invalid_grant");
    expect(message).not.toContain(refused.privateKeyPem.split("\n")[2]!);
    expect(received.some((r) => r.url.startsWith(REGIONAL))).toBe(false);
  });

  it("a Vertex error answer (PERMISSION_DENIED) is a 403 for the client", async () => {
    fakes();
    fakeUpstream(REGIONAL, () => answer(fixtures.errorPermission, 403));
    const err = await client()
      .chat.completions.create({ model: "vertex-flash", messages: [{ role: "user", content: "q" }] })
      .catch((e: unknown) => e);
    expect((err as APIError).status).toBe(403);
    expect((err as APIError).message).toContain("aiplatform.endpoints.predict");
  });
});

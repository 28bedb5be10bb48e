import { afterEach, describe, expect, it } from "vitest";
import { parseChatRequest } from "../../src/api/chat";
import type { Deployment } from "../../src/config/deployment";
import { GatewayError } from "../../src/http/errors";
import { azureUrl } from "../../src/providers/azure";
import { converseUrl } from "../../src/providers/bedrock/request";
import { geminiChat } from "../../src/providers/gemini";
import { vertexChat } from "../../src/providers/vertex";
import { withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { adapterCtx, geminiDep } from "../providers/gemini-helpers";

afterEach(resetUpstreams);

const GEM_KEY = "AIzaSy-wildcard-secret-0123456789";
const CONFIG = `
model_list:
  - model_name: "gemini/*"
    litellm_params:
      model: "gemini/*"
      api_key: ${GEM_KEY}
      api_base: https://gemini.test
    model_info: {id: wild-gemini}
  - model_name: "vertex_ai/*"
    litellm_params:
      model: "vertex_ai/*"
      api_key: ${GEM_KEY}
      api_base: https://vertex.test
    model_info: {id: wild-vertex}
  - model_name: "*"
    litellm_params:
      model: "*"
      api_key: sk-catch-all-secret-0123456789
      api_base: https://catchall.test/v1
    model_info: {id: catch-all}
`;

const chat = (model: string) => withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });

const geminiAnswer = { candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 } };

describe("model names in upstream URLs (wildcard groups)", () => {
  for (const model of [
    "gemini/../../v1beta/cachedContents/x",
    "gemini/..",
    "gemini/x/../../files",
    "gemini/a?b",
    "gemini/a#b",
    "gemini/a%2F..%2Fb",
    "gemini/a b",
    "vertex_ai/../../../projects/other/locations/x",
  ]) {
    it(`refuses ${JSON.stringify(model)} with a 400 naming model, and calls no upstream`, async () => {
      fakeUpstream("https://gemini.test", () => json(geminiAnswer));
      fakeUpstream("https://vertex.test", () => json(geminiAnswer));
      const res = await chat(model);
      expect(res.status).toBe(400);
      const body = await res.json<{ error: { type: string; param: string } }>();
      expect(body.error.type).toBe("invalid_request_error");
      expect(body.error.param).toBe("model");
      expect(received).toHaveLength(0);
    });
  }

  it("sane names still pass through the wildcard, each as one URL segment", async () => {
    fakeUpstream("https://gemini.test", () => json(geminiAnswer));
    const res = await chat("gemini/gemini-2.5-flash-preview-09-2025");
    expect(res.status).toBe(200);
    expect(received[0]!.url).toBe("https://gemini.test/v1beta/models/gemini-2.5-flash-preview-09-2025:generateContent");
  });
});

describe("every provider URL builder encodes the model name as path segments", () => {
  const req = parseChatRequest({ model: "g", messages: [{ role: "user", content: "x" }] });
  const refused = async (p: () => unknown): Promise<GatewayError> => {
    try {
      await p();
    } catch (e) {
      if (e instanceof GatewayError) return e;
      throw e;
    }
    throw new Error("expected a refusal");
  };

  it("gemini: a slash, ?, # or % in the model is encoded; a dot segment is refused", async () => {
    const r = await geminiChat.request(req, geminiDep("a/../b?c#d%e"), adapterCtx());
    expect(new URL(r.url).pathname).toBe("/v1beta/models/a%2F..%2Fb%3Fc%23d%25e:generateContent");
    expect((await refused(() => geminiChat.request(req, geminiDep(".."), adapterCtx()))).param).toBe("model");
  });

  it("vertex (express mode): the same", async () => {
    const r = await vertexChat.request(req, { ...geminiDep("x/../../y"), provider: "vertex_ai" }, adapterCtx());
    expect(new URL(r.url).pathname).toBe("/v1/publishers/google/models/x%2F..%2F..%2Fy:generateContent");
    expect((await refused(() => vertexChat.request(req, { ...geminiDep("."), provider: "vertex_ai" }, adapterCtx()))).status).toBe(400);
  });

  const dep = (provider: string, model: string, extra: Partial<Deployment> = {}): Deployment => ({ id: "d", modelName: "m", provider, model, params: {}, costs: {}, ...extra }) as Deployment;

  it("azure: a deployment name of '..' is refused; others are encoded", async () => {
    const base = { apiBase: "https://res.openai.azure.com", apiKey: "k", apiVersion: "2024-10-21" };
    expect(azureUrl(dep("azure", "a/b", base), "chat/completions")).toContain("/openai/deployments/a%2Fb/chat/completions");
    expect((await refused(() => azureUrl(dep("azure", "..", base), "chat/completions"))).param).toBe("model");
  });

  it("bedrock: a model id of '..' is refused; ARNs are encoded whole", async () => {
    const base = { params: { aws_region_name: "us-east-1" } };
    expect(converseUrl(dep("bedrock", "arn:aws:bedrock:us-east-1:1:inference-profile/x", base), false)).toContain("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/converse");
    expect((await refused(() => converseUrl(dep("bedrock", "..", base), false))).param).toBe("model");
  });
});

describe("a catch-all `*` deployment's credentials", () => {
  it("are not sent to a provider the client names", async () => {
    fakeUpstream("https://catchall.test", () => json(geminiAnswer));
    fakeUpstream("https://", () => json(geminiAnswer));
    const res = await chat("anthropic/claude-sonnet-4-5");
    const seen = JSON.stringify(received);
    expect(seen).not.toContain("sk-catch-all-secret-0123456789");
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).not.toContain("sk-catch-all-secret");
  });
});

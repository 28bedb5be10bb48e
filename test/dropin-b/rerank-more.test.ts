import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, newKey, withEnv } from "../helpers/gateway";
import { parseAuthorization, sigv4 } from "../providers/bedrock-sigv4";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const AWS_SECRET = "aws-secret-rerank-0123456789abcdefghij";
const CONFIG = `
model_list:
  - model_name: rr-azure-ai
    litellm_params: {model: azure_ai/Cohere-rerank-v3.5, api_base: https://rr-foundry.services.ai.azure.test, api_key: azure-ai-key-0123456789, input_cost_per_query: 0.002}
    model_info: {id: rr-azure-ai}
  - model_name: rr-azure-ai-v2
    litellm_params: {model: azure_ai/cohere-rerank-v4, api_base: "https://rr-foundry.services.ai.azure.test/providers/cohere/v2/", api_key: azure-ai-key-0123456789}
    model_info: {id: rr-azure-ai-v2}
  - model_name: rr-bedrock
    litellm_params: {model: bedrock/cohere.rerank-v3-5:0, aws_region_name: us-west-2, aws_access_key_id: AKIDRERANK, aws_secret_access_key: ${AWS_SECRET}, input_cost_per_query: 0.002}
    model_info: {id: rr-bedrock}
  - model_name: rr-bedrock-amazon
    litellm_params: {model: bedrock/amazon.rerank-v1:0, api_key: bedrock-api-key-0123456789}
    model_info: {id: rr-bedrock-amazon}
`;

const docs = ["Rome is the capital of Italy.", "Paris is in France.", "Pasta comes from Italy."];
const call = (body: unknown, key?: string | null) => withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/rerank", { method: "POST", body: JSON.stringify(body), key });
const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

/** Cohere's rerank answer as Azure AI Foundry sends it. */
const COHERE_ANSWER = {
  id: "a1b2c3-azure",
  results: [
    { index: 0, relevance_score: 0.91 },
    { index: 2, relevance_score: 0.42 },
  ],
  meta: { api_version: { version: "2" }, billed_units: { search_units: 1 } },
};

afterEach(resetUpstreams);

describe("POST /v1/rerank through Azure AI (Cohere rerank on Azure)", () => {
  it("sends Cohere's request to {api_base}/v1/rerank with a Bearer key, answers LiteLLM's shape, priced per search unit", async () => {
    fakeUpstream("https://rr-foundry.services.ai.azure.test/v1/rerank", () => json(COHERE_ANSWER));
    const k = await newKey({ models: ["rr-azure-ai"] });
    const res = await call({ model: "rr-azure-ai", query: "Italy?", documents: docs, top_n: 2, return_documents: true }, k.key);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: "a1b2c3-azure",
      results: [
        { index: 0, relevance_score: 0.91, document: { text: docs[0] } },
        { index: 2, relevance_score: 0.42, document: { text: docs[2] } },
      ],
      meta: { billed_units: { search_units: 1 }, tokens: { input_tokens: 0, output_tokens: 0 } },
    });
    expect(received[0]!.json()).toEqual({ model: "Cohere-rerank-v3.5", query: "Italy?", documents: docs, top_n: 2 });
    expect(received[0]!.headers.authorization).toBe("Bearer azure-ai-key-0123456789");
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, provider: "azure_ai", deployment: "rr-azure-ai", status: "success" });
    expect(row.spend).toBeCloseTo(0.002, 12);
  });

  it("an api_base ending in a version path gets /rerank (LiteLLM's rule); chat is a 400 naming rerank; errors keep no key", async () => {
    fakeUpstream("https://rr-foundry.services.ai.azure.test/providers/cohere/v2/rerank", () => json(COHERE_ANSWER));
    expect((await call({ model: "rr-azure-ai-v2", query: "q", documents: docs })).status).toBe(200);
    expect(received[0]!.url).toBe("https://rr-foundry.services.ai.azure.test/providers/cohere/v2/rerank");

    const chat = await withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "rr-azure-ai", messages: [{ role: "user", content: "x" }] }) });
    expect(chat.status).toBe(400);
    expect((await chat.json<any>()).error.message).toContain("rerank only");
    expect(received).toHaveLength(1);

    fakeUpstream("https://rr-foundry.services.ai.azure.test/v1/rerank", (req) => json({ message: `denied for ${req.headers.get("authorization")}` }, 401));
    const denied = await call({ model: "rr-azure-ai", query: "q", documents: docs });
    expect(denied.status).toBe(401);
    expect(await denied.text()).not.toContain("azure-ai-key-0123456789");
  });
});

describe("POST /v1/rerank through Bedrock's Rerank API", () => {
  const BEDROCK_ANSWER = {
    results: [
      { index: 2, relevanceScore: 0.8 },
      { index: 0, relevanceScore: 0.6 },
    ],
  };

  it("SigV4-signs the Rerank request to the region's agent runtime, with the foundation-model ARN; one search unit per 100 documents", async () => {
    fakeUpstream("https://bedrock-agent-runtime.us-west-2.amazonaws.com/rerank", () => json(BEDROCK_ANSWER));
    const k = await newKey();
    const res = await call({ model: "rr-bedrock", query: "Italy?", documents: [docs[0], { text: docs[1]! }, docs[2]], top_n: 2 }, k.key);
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.results).toEqual([
      { index: 2, relevance_score: 0.8 },
      { index: 0, relevance_score: 0.6 },
    ]);
    expect(body.meta.billed_units).toEqual({ search_units: 1 });
    const up = received[0]!;
    expect(up.json()).toEqual({
      queries: [{ type: "TEXT", textQuery: { text: "Italy?" } }],
      sources: docs.map((text) => ({ type: "INLINE", inlineDocumentSource: { type: "TEXT", textDocument: { text } } })),
      rerankingConfiguration: {
        type: "BEDROCK_RERANKING_MODEL",
        bedrockRerankingConfiguration: { numberOfResults: 2, modelConfiguration: { modelArn: "arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0" } },
      },
    });
    const auth = parseAuthorization(up.headers.authorization!);
    expect(auth).toMatchObject({ accessKeyId: "AKIDRERANK", region: "us-west-2", service: "bedrock" });
    const mine = await sigv4({
      method: up.method,
      url: up.url,
      headers: up.headers,
      body: up.body,
      secretAccessKey: AWS_SECRET,
      region: "us-west-2",
      service: "bedrock",
      signedHeaders: auth!.signedHeaders,
      amzDate: up.headers["x-amz-date"]!,
    });
    expect(auth!.signature).toBe(mine.signature);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ provider: "bedrock", deployment: "rr-bedrock", status: "success" });
    expect(row.spend).toBeCloseTo(0.002, 12);

    // 150 documents are two queries as AWS bills them.
    const many = Array.from({ length: 150 }, (_, i) => `doc ${i}`);
    const big = await call({ model: "rr-bedrock", query: "q", documents: many }, k.key);
    expect((await big.json<any>()).meta.billed_units.search_units).toBe(2);
    expect(received[1]!.json<any>().rerankingConfiguration.bedrockRerankingConfiguration.numberOfResults).toBe(150);
    expect((await rowOf(big.headers.get("x-request-id")!)).spend).toBeCloseTo(0.004, 12);
  });

  it("a Bedrock API key goes as Bearer (us-east-1 by default); max_tokens_per_doc is refused unless dropped; Bedrock's errors come back mapped", async () => {
    fakeUpstream("https://bedrock-agent-runtime.us-east-1.amazonaws.com/rerank", () => json(BEDROCK_ANSWER));
    expect((await call({ model: "rr-bedrock-amazon", query: "q", documents: docs })).status).toBe(200);
    expect(received[0]!.headers.authorization).toBe("Bearer bedrock-api-key-0123456789");
    expect(received[0]!.json<any>().rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn).toBe("arn:aws:bedrock:us-east-1::foundation-model/amazon.rerank-v1:0");

    const refused = await call({ model: "rr-bedrock-amazon", query: "q", documents: docs, max_tokens_per_doc: 100 });
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error.param).toBe("max_tokens_per_doc");
    expect(received).toHaveLength(1);

    fakeUpstream("https://bedrock-agent-runtime.us-east-1.amazonaws.com/rerank", () =>
      json({ message: "The provided model identifier is invalid." }, 400, { "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" }),
    );
    const invalid = await call({ model: "rr-bedrock-amazon", query: "q", documents: docs });
    expect(invalid.status).toBe(400);
    expect((await invalid.json<any>()).error.message).toContain("model identifier is invalid");
  });
});

describe("/model_group/info lists the rerank fields each provider takes", () => {
  it("Bedrock has no max_tokens_per_doc; Azure AI (Cohere's API) has it", async () => {
    const info = async (group: string) => (await (await withEnv({ GATEWAY_CONFIG: CONFIG }, `/model_group/info?model_group=${group}`)).json<any>()).data[0];
    const bedrock = await info("rr-bedrock");
    expect(bedrock).toMatchObject({ mode: "rerank", providers: ["bedrock"] });
    expect(bedrock.supported_openai_params).toEqual(["query", "documents", "top_n", "return_documents"]);
    expect((await info("rr-azure-ai")).supported_openai_params).toContain("max_tokens_per_doc");
  });
});

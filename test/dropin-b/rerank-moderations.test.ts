import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, newKey, openaiWith, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const CONFIG = `
model_list:
  - model_name: omni-moderation-latest
    litellm_params: {model: openai/omni-moderation-latest, api_base: https://mod.test/v1, api_key: os.environ/OPENAI_API_KEY}
    model_info: {id: mod-1}
  - model_name: claude
    litellm_params: {model: anthropic/claude-3-5-haiku-latest, api_base: https://anthropic.test, api_key: k-anthropic-0123456789}
    model_info: {id: claude-1}
  - model_name: rr-cohere
    litellm_params: {model: cohere/rerank-v3.5, api_base: https://api.cohere.test, api_key: cohere-key-0123456789, input_cost_per_query: 0.002}
    model_info: {id: rr-cohere}
  - model_name: rr-jina
    litellm_params: {model: jina_ai/jina-reranker-v2-base-multilingual, api_base: https://jina.test/v1, api_key: jina-key-0123456789, input_cost_per_token: 0.00000002}
    model_info: {id: rr-jina}
  - model_name: rr-voyage
    litellm_params: {model: voyage/rerank-2, api_base: https://voyage.test/v1, api_key: voyage-key-0123456789}
    model_info: {id: rr-voyage}
`;

const MODERATION = {
  id: "modr-1",
  model: "omni-moderation-latest",
  results: [{ flagged: false, categories: { violence: false }, category_scores: { violence: 0.01 }, category_applied_input_types: { violence: ["text"] } }],
};

const call = (path: string, body: unknown, key?: string | null) => withEnv({ GATEWAY_CONFIG: CONFIG }, path, { method: "POST", body: JSON.stringify(body), key });
const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

afterEach(resetUpstreams);

describe("POST /v1/moderations: OpenAI's moderations through the call path", () => {
  it("works with the official OpenAI client; the answer passes through; the call is logged", async () => {
    fakeUpstream("https://mod.test/v1/moderations", () => json(MODERATION));
    const k = await newKey({ models: ["omni-moderation-latest"] });
    const { data, response } = await openaiWith({ GATEWAY_CONFIG: CONFIG }, k.key).moderations.create({ model: "omni-moderation-latest", input: "hello" }).withResponse();
    expect(data).toEqual(MODERATION);
    expect(received[0]!.json()).toEqual({ input: "hello", model: "omni-moderation-latest" });
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(response.headers.get("x-gateway-deployment")).toBe("mod-1");
    const row = await rowOf(response.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, model_group: "omni-moderation-latest", deployment: "mod-1", status: "success" });
    expect(JSON.parse(row.metadata as string).route).toBe("moderations");
  });

  it("without a model it asks for omni-moderation-latest, OpenAI's default", async () => {
    fakeUpstream("https://mod.test/v1/moderations", () => json(MODERATION));
    const res = await call("/moderations", { input: ["a", "b"] });
    expect(res.status).toBe(200);
    expect(received[0]!.json()).toEqual({ input: ["a", "b"], model: "omni-moderation-latest" });
  });

  it("bad input is a 400 naming the field; a provider without moderations a 400; a key without the model a 403", async () => {
    const missing = await call("/v1/moderations", { model: "omni-moderation-latest" });
    expect(missing.status).toBe(400);
    expect((await missing.json<any>()).error.param).toBe("input");
    const claude = await call("/v1/moderations", { model: "claude", input: "x" });
    expect(claude.status).toBe(400);
    expect((await claude.json<any>()).error.message).toContain("no moderations API");
    const k = await newKey({ models: ["claude"] });
    const denied = await call("/v1/moderations", { input: "x" }, k.key);
    expect(denied.status).toBe(403);
    expect(received).toHaveLength(0);
  });
});

describe("POST /v1/rerank: LiteLLM's rerank shape over Cohere v2 and the Jina/Voyage family", () => {
  const docs = ["Paris is in France.", "Berlin is in Germany.", { text: "Rome is in Italy." }];

  it("Cohere: /v2/rerank upstream, documents from the request when asked for, priced per search unit", async () => {
    fakeUpstream("https://api.cohere.test/v2/rerank", () =>
      json({
        id: "co-1",
        results: [
          { index: 2, relevance_score: 0.9 },
          { index: 0, relevance_score: 0.4 },
        ],
        meta: { api_version: { version: "2" }, billed_units: { search_units: 1 } },
      }),
    );
    const k = await newKey({ models: ["rr-cohere"] });
    const res = await call("/v1/rerank", { model: "rr-cohere", query: "Italy?", documents: docs, top_n: 2, return_documents: true }, k.key);
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body).toEqual({
      id: "co-1",
      results: [
        { index: 2, relevance_score: 0.9, document: { text: "Rome is in Italy." } },
        { index: 0, relevance_score: 0.4, document: { text: "Paris is in France." } },
      ],
      meta: { billed_units: { search_units: 1 }, tokens: { input_tokens: 0, output_tokens: 0 } },
    });
    expect(received[0]!.json()).toEqual({ model: "rerank-v3.5", query: "Italy?", documents: ["Paris is in France.", "Berlin is in Germany.", "Rome is in Italy."], top_n: 2 });
    expect(received[0]!.headers.authorization).toBe("Bearer cohere-key-0123456789");
    expect(Number(res.headers.get("x-gateway-cost"))).toBeCloseTo(0.002, 12);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, model_group: "rr-cohere", deployment: "rr-cohere" });
    expect(row.spend).toBeCloseTo(0.002, 12);
    // LiteLLM's other paths: /rerank and /v2/rerank.
    for (const path of ["/rerank", "/v2/rerank"]) expect((await call(path, { model: "rr-cohere", query: "q", documents: docs })).status).toBe(200);
  });

  it("Jina: {base}/rerank with top_n, results without documents unless asked, priced by the tokens it reports", async () => {
    fakeUpstream("https://jina.test/v1/rerank", () =>
      json({ model: "jina-reranker-v2-base-multilingual", usage: { total_tokens: 50 }, results: [{ index: 1, relevance_score: 0.7, document: { text: "Berlin is in Germany." } }] }),
    );
    const res = await call("/v1/rerank", { model: "rr-jina", query: "Germany?", documents: docs, top_n: 1 });
    const body = await res.json<any>();
    expect(body.results).toEqual([{ index: 1, relevance_score: 0.7 }]);
    expect(body.meta).toEqual({ billed_units: { search_units: 1, total_tokens: 50 }, tokens: { input_tokens: 50, output_tokens: 0 } });
    expect(typeof body.id).toBe("string");
    expect(received[0]!.json()).toMatchObject({ model: "jina-reranker-v2-base-multilingual", top_n: 1 });
    expect(Number(res.headers.get("x-gateway-cost"))).toBeCloseTo(50 * 0.00000002, 15);
  });

  it("Voyage: top_k and its `data` list", async () => {
    fakeUpstream("https://voyage.test/v1/rerank", () => json({ object: "list", data: [{ index: 0, relevance_score: 0.8 }], model: "rerank-2", usage: { total_tokens: 12 } }));
    const body = await (await call("/v1/rerank", { model: "rr-voyage", query: "France?", documents: docs, top_n: 1 })).json<any>();
    expect(body.results).toEqual([{ index: 0, relevance_score: 0.8 }]);
    expect(received[0]!.json()).toMatchObject({ model: "rerank-2", top_k: 1 });
    expect(received[0]!.json().top_n).toBeUndefined();
  });

  it("max_tokens_per_doc (Cohere's) is a 400 on the Jina/Voyage family, never dropped silently", async () => {
    fakeUpstream("https://jina.test/v1/rerank", () => json({ results: [{ index: 0, relevance_score: 0.5 }], usage: { total_tokens: 5 } }));
    const before = received.length;
    const res = await call("/v1/rerank", { model: "rr-jina", query: "q", documents: docs, max_tokens_per_doc: 100 });
    expect(res.status).toBe(400);
    expect((await res.json<any>()).error.param).toBe("max_tokens_per_doc");
    expect(received.length).toBe(before);
    const info = await (await withEnv({ GATEWAY_CONFIG: CONFIG }, "/model_group/info?model_group=rr-jina")).json<any>();
    expect(info.data[0].supported_openai_params).not.toContain("max_tokens_per_doc");
  });

  it("bad input is a 400 naming the field; a provider without rerank a 400; an unreadable answer a 502; a rerank-only provider takes no chat", async () => {
    const cases: Array<[unknown, string]> = [
      [{ model: "rr-cohere", query: "q", documents: [] }, "documents"],
      [{ model: "rr-cohere", documents: ["a"] }, "query"],
      [{ model: "rr-cohere", query: "q", documents: [{ title: "no text" }] }, "documents[0]"],
      [{ model: "rr-cohere", query: "q", documents: ["a"], top_n: 0 }, "top_n"],
      [{ model: "rr-cohere", query: "q", documents: ["a"], rank_fields: ["title"] }, "rank_fields"],
    ];
    for (const [body, param] of cases) {
      const res = await call("/v1/rerank", body);
      expect(res.status, param).toBe(400);
      expect((await res.json<any>()).error.param).toBe(param);
    }
    const claude = await call("/v1/rerank", { model: "claude", query: "q", documents: ["a"] });
    expect(claude.status).toBe(400);
    expect(received).toHaveLength(0);

    fakeUpstream("https://api.cohere.test/v2/rerank", () => json({ results: [{ index: 7, relevance_score: 0.1 }] }));
    expect((await call("/v1/rerank", { model: "rr-cohere", query: "q", documents: ["a"] })).status).toBe(502);

    const chat = await call("/v1/chat/completions", { model: "rr-jina", messages: [{ role: "user", content: "x" }] });
    expect(chat.status).toBe(400);
    expect((await chat.json<any>()).error.message).toContain("no chat API");
  });

  it("the key's limits apply: rpm_limit 1 admits one rerank a minute", async () => {
    fakeUpstream("https://api.cohere.test/v2/rerank", () => json({ results: [{ index: 0, relevance_score: 0.5 }], meta: { billed_units: { search_units: 1 } } }));
    const k = await newKey({ rpm_limit: 1 });
    expect((await call("/v1/rerank", { model: "rr-cohere", query: "q", documents: ["a"] }, k.key)).status).toBe(200);
    const second = await call("/v1/rerank", { model: "rr-cohere", query: "q", documents: ["a"] }, k.key);
    expect(second.status).toBe(429);
    expect(received).toHaveLength(1);
  });
});

describe("/health probes rerank and moderation deployments with their own minimal calls", () => {
  it("a one-document rerank and a one-word moderation", async () => {
    fakeUpstream("https://api.cohere.test/v2/rerank", () => json({ results: [{ index: 0, relevance_score: 0.5 }], meta: { billed_units: { search_units: 1 } } }));
    fakeUpstream("https://mod.test/v1/moderations", () => json(MODERATION));
    for (const model of ["rr-cohere", "omni-moderation-latest"]) {
      const res = await withEnv({ GATEWAY_CONFIG: CONFIG }, `/health?model=${model}`);
      expect(res.status).toBe(200);
      expect((await res.json<any>()).healthy_count).toBe(1);
    }
    expect(received.map((r) => r.json())).toEqual([
      { model: "rerank-v3.5", query: "ping", documents: ["ping"], top_n: 1 },
      { input: "ping", model: "omni-moderation-latest" },
    ]);
  });
});

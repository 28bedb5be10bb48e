import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { env, eventually, newKey, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { testServiceAccount, tokenEndpoint, type TestServiceAccount, type TokenRequestSeen } from "../providers/vertex-helpers";

const TOKEN_URI = "https://oauth2.rerank-vertex.test/token";
const RANK_URL = "https://discoveryengine.googleapis.com/v1/projects/rank-project/locations/global/rankingConfigs/default_ranking_config:rank";
const CONFIG = `
model_list:
  - model_name: rr-vertex
    litellm_params: {model: vertex_ai/semantic-ranker-default@latest, vertex_project: rank-project, vertex_credentials: os.environ/VERTEX_CREDENTIALS, input_cost_per_query: 0.001}
    model_info: {id: rr-vertex}
  - model_name: rr-vertex-express
    litellm_params: {model: vertex_ai/semantic-ranker-default@latest, api_key: vertex-express-key-0123456789}
    model_info: {id: rr-vertex-express}
`;

let sa: TestServiceAccount;
const seen: TokenRequestSeen[] = [];
const docs = ["The sky is blue because of Rayleigh scattering.", "A poem about the colour of the sky.", "Grass is green."];
const call = (body: unknown, key?: string | null) => withEnv({ GATEWAY_CONFIG: CONFIG, VERTEX_CREDENTIALS: sa.text }, "/v1/rerank", { method: "POST", body: JSON.stringify(body), key });
const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

beforeAll(async () => {
  sa = await testServiceAccount(TOKEN_URI, "rerank-vertex");
});
afterEach(resetUpstreams);

describe("POST /v1/rerank through Vertex AI's ranking API", () => {
  it("sends Discovery Engine's rank request with the service account's token, answers LiteLLM's shape, priced per query", async () => {
    fakeUpstream(TOKEN_URI, tokenEndpoint(sa, "ya29.rank-token", seen));
    // Google's answer with ignoreRecordDetailsInResponse: ids and scores, best first.
    fakeUpstream(RANK_URL, () =>
      json({
        records: [
          { id: "0", score: 0.98 },
          { id: "1", score: 0.64 },
        ],
      }),
    );
    const k = await newKey();
    const res = await call({ model: "rr-vertex", query: "Why is the sky blue?", documents: [docs[0], { text: docs[1]!, title: "Sky poem" }, docs[2]], top_n: 2, return_documents: true }, k.key);
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.results).toEqual([
      { index: 0, relevance_score: 0.98, document: { text: docs[0] } },
      { index: 1, relevance_score: 0.64, document: { text: docs[1] } },
    ]);
    expect(body.meta.billed_units).toEqual({ search_units: 1 });
    const up = received.find((r) => r.url === RANK_URL)!;
    expect(up.headers.authorization).toBe("Bearer ya29.rank-token");
    expect(up.headers["x-goog-user-project"]).toBe("rank-project");
    expect(up.json()).toEqual({
      model: "semantic-ranker-default@latest",
      query: "Why is the sky blue?",
      records: [
        { id: "0", title: "The sky is", content: docs[0] },
        { id: "1", title: "Sky poem", content: docs[1] },
        { id: "2", title: "Grass is green.", content: docs[2] },
      ],
      ignoreRecordDetailsInResponse: true,
      topN: 2,
    });
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ provider: "vertex_ai", deployment: "rr-vertex", status: "success" });
    expect(row.spend).toBeCloseTo(0.001, 12);
  });

  it("an answer naming a record the request did not have is a 502; Google's errors come back mapped; express mode (API key only) is a config error", async () => {
    fakeUpstream(TOKEN_URI, tokenEndpoint(sa, "ya29.rank-token", seen));
    fakeUpstream(RANK_URL, () => json({ records: [{ id: "7", score: 0.5 }] }));
    expect((await call({ model: "rr-vertex", query: "q", documents: docs })).status).toBe(502);

    fakeUpstream(RANK_URL, () => json({ error: { code: 403, message: "Discovery Engine API has not been used in project rank-project", status: "PERMISSION_DENIED" } }, 403));
    const denied = await call({ model: "rr-vertex", query: "q", documents: docs });
    expect(denied.status).toBe(403);
    expect((await denied.json<any>()).error.message).toContain("Discovery Engine API");

    const refused = await call({ model: "rr-vertex", query: "q", documents: docs, max_tokens_per_doc: 50 });
    expect(refused.status).toBe(400);
    expect((await refused.json<any>()).error.param).toBe("max_tokens_per_doc");

    const express = await call({ model: "rr-vertex-express", query: "q", documents: docs });
    expect(express.status).toBe(503);
    const text = await express.text();
    expect(text).toContain("vertex_credentials");
    expect(text).not.toContain("vertex-express-key-0123456789");
    expect(received.some((r) => r.url.startsWith("https://discoveryengine") && r.headers["x-goog-api-key"])).toBe(false);
  });
});

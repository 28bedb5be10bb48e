import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { bedrockEmbeddings, MAX_TITAN_INPUTS } from "../../src/providers/bedrock/embeddings";
import { joinEmbeddingLists } from "../../src/providers/shared/embeddings";
import { parseEmbeddingsRequest } from "../../src/api/embeddings";
import { adapterCtx, bedrockDep, fixtures } from "./bedrock-helpers";

const TITAN = "amazon.titan-embed-text-v2:0";
const COHERE = "cohere.embed-english-v3";
const req = (extra: Record<string, unknown>) => parseEmbeddingsRequest({ model: "emb", input: "hello", ...extra });
const split = (r: ReturnType<typeof req>, model: string) => bedrockEmbeddings.split!(r, bedrockDep(model), adapterCtx());

async function sent(r: ReturnType<typeof req>, model: string, ctx = adapterCtx()) {
  const request = await bedrockEmbeddings.request(r, bedrockDep(model), ctx);
  return { url: request.url, body: JSON.parse(await request.text()) as Record<string, unknown> };
}

async function refused(fn: () => unknown): Promise<GatewayError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("bedrock embeddings requests", () => {
  it("Titan v2: {inputText, normalize, dimensions} to /model/{id}/invoke", async () => {
    expect(await sent(req({ dimensions: 512 }), TITAN)).toEqual({
      url: "https://bedrock-runtime.us-west-2.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke",
      body: { inputText: "hello", normalize: true, dimensions: 512 },
    });
  });

  it("Titan v1: {inputText} only; dimensions refused unless drop_params", async () => {
    expect((await sent(req({}), "amazon.titan-embed-text-v1")).body).toEqual({ inputText: "hello" });
    expect((await refused(() => sent(req({ dimensions: 256 }), "amazon.titan-embed-text-v1"))).param).toBe("dimensions");
    expect((await sent(req({ dimensions: 256 }), "amazon.titan-embed-text-v1", adapterCtx({ dropParams: true }))).body).toEqual({ inputText: "hello" });
  });

  it("Titan: a list is split into one request per input; more than the limit is a 400", () => {
    const parts = split(req({ input: ["a", "b", "c"] }), TITAN);
    expect(parts.map((p) => p.input)).toEqual(["a", "b", "c"]);
    expect(split(req({}), TITAN)).toHaveLength(1);
    const tooMany = Array.from({ length: MAX_TITAN_INPUTS + 1 }, (_, i) => `t${i}`);
    expect(() => split(req({ input: tooMany }), TITAN)).toThrow(/at most 100 inputs/);
  });

  it("Cohere: {texts, input_type} (search_document unless given), split in batches of 96", async () => {
    expect((await sent(req({ input: ["a", "b"] }), COHERE)).body).toEqual({ texts: ["a", "b"], input_type: "search_document" });
    expect((await sent(req({ input: ["q"], input_type: "search_query" }), COHERE)).body).toEqual({ texts: ["q"], input_type: "search_query" });
    const texts = Array.from({ length: 200 }, (_, i) => `t${i}`);
    expect(split(req({ input: texts }), COHERE).map((p) => (p.input as string[]).length)).toEqual([96, 96, 8]);
    expect((await refused(() => sent(req({ dimensions: 256 }), COHERE))).param).toBe("dimensions");
  });

  it("Cohere embed v4: float embedding_types and output_dimension", async () => {
    expect((await sent(req({ input: ["a"], dimensions: 1024 }), "us.cohere.embed-v4:0")).body).toEqual({
      texts: ["a"],
      input_type: "search_document",
      embedding_types: ["float"],
      output_dimension: 1024,
    });
  });

  it("refuses token-id input and models that are not embeddings models, naming the field", async () => {
    expect((await refused(() => sent(req({ input: [1, 2, 3] }), TITAN))).param).toBe("input");
    expect((await refused(() => split(req({}), "anthropic.claude-3-5-sonnet-20240620-v1:0"))).param).toBe("model");
  });
});

describe("bedrock embeddings answers", () => {
  it("Titan: the vector and its token count; base64 when asked", () => {
    const r = bedrockEmbeddings.response(fixtures.titanEmbedding, req({ encoding_format: "float" }), bedrockDep(TITAN), adapterCtx());
    expect(JSON.parse(r.json)).toEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.125, -0.5, 0.25, 1.0] }],
      model: TITAN,
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });
    const b64 = JSON.parse(bedrockEmbeddings.response(fixtures.titanEmbedding, req({ encoding_format: "base64" }), bedrockDep(TITAN), adapterCtx()).json);
    const floats = new Float32Array(Uint8Array.from(atob(b64.data[0].embedding), (c) => c.charCodeAt(0)).buffer);
    expect(Array.from(floats)).toEqual([0.125, -0.5, 0.25, 1.0]);
  });

  it("Cohere: the vectors (v3 list or v4 {float}), tokens estimated", () => {
    const v3 = JSON.parse(bedrockEmbeddings.response(fixtures.cohereEmbedding, req({ input: ["hello world", "goodbye"] }), bedrockDep(COHERE), adapterCtx()).json);
    expect(v3.data.map((d: { embedding: number[] }) => d.embedding)).toEqual([
      [0.5, 0.25],
      [-0.125, 1.0],
    ]);
    expect(v3.usage.prompt_tokens).toBeGreaterThan(0);
    const v4 = JSON.parse(bedrockEmbeddings.response(JSON.stringify({ embeddings: { float: [[1, 2]] } }), req({ input: ["x"] }), bedrockDep("cohere.embed-v4:0"), adapterCtx()).json);
    expect(v4.data[0].embedding).toEqual([1, 2]);
  });

  it("an answer without vectors is a 502", async () => {
    expect((await refused(() => bedrockEmbeddings.response('{"message":"?"}', req({}), bedrockDep(TITAN), adapterCtx()))).status).toBe(502);
    expect((await refused(() => bedrockEmbeddings.response("nope", req({}), bedrockDep(COHERE), adapterCtx()))).status).toBe(502);
  });

  it("joinEmbeddingLists re-indexes the parts in order and sums their usage", () => {
    const part = (v: number[], tokens: number) =>
      bedrockEmbeddings.response(JSON.stringify({ embedding: v, inputTextTokenCount: tokens }), req({ encoding_format: "float" }), bedrockDep(TITAN), adapterCtx());
    const joined = joinEmbeddingLists([part([1], 2), part([2], 3), part([3], 4)]);
    expect(JSON.parse(joined.json)).toEqual({
      object: "list",
      data: [0, 1, 2].map((index) => ({ object: "embedding", index, embedding: [index + 1] })),
      model: TITAN,
      usage: { prompt_tokens: 9, total_tokens: 9 },
    });
    expect(joined.usage).toEqual({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
  });
});

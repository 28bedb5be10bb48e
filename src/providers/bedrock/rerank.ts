import { documentTexts } from "../../api/rerank";
import type { Deployment } from "../../config/deployment";
import { invalidRequest } from "../../http/errors";
import { parseJson, rerankAnswer } from "../shared/rerank";
import type { RerankAdapter } from "../types";
import { bedrockError } from "./errors";
import { modelId } from "./models";
import { regionOf, signedPost } from "./sign";

/** Document chunks AWS counts as one query (a request with more is billed as several). */
const DOCUMENTS_PER_QUERY = 100;

/** The Agents runtime's base: api_base (the host root), else the region's bedrock-agent-runtime endpoint. */
export function agentRuntimeBase(dep: Deployment): string {
  const endpoint = dep.params.aws_bedrock_agent_runtime_endpoint;
  const base = dep.apiBase ?? (typeof endpoint === "string" && endpoint ? endpoint : `https://bedrock-agent-runtime.${regionOf(dep)}.amazonaws.com`);
  return base.replace(/\/+$/, "");
}

/** The model as the Rerank API names it: an ARN as it is, else the region's foundation-model ARN. */
export function rerankModelArn(dep: Deployment): string {
  const id = modelId(dep);
  return id.startsWith("arn:") ? id : `arn:aws:bedrock:${regionOf(dep)}::foundation-model/${id}`;
}

/**
 * Bedrock's Rerank API (`POST {agent runtime}/rerank`, SigV4 service `bedrock`, as LiteLLM calls
 * it) for `bedrock/cohere.rerank-v3-5:0` and `bedrock/amazon.rerank-v1:0`: the query and the
 * documents as inline text sources, `top_n` as `numberOfResults` (all documents when unset). The
 * answer's `{results: [{index, relevanceScore}]}` has no usage: search units are counted as AWS
 * bills them, one query per 100 documents.
 */
export const bedrockRerank: RerankAdapter = {
  request(req, dep, ctx) {
    if (req.max_tokens_per_doc != null && !ctx.dropParams) {
      throw invalidRequest("The parameter 'max_tokens_per_doc' is not supported by Bedrock's Rerank API. Remove it, or set drop_params: true to drop it.", "max_tokens_per_doc");
    }
    const texts = documentTexts(req);
    const body = {
      queries: [{ type: "TEXT", textQuery: { text: req.query } }],
      sources: texts.map((text) => ({ type: "INLINE", inlineDocumentSource: { type: "TEXT", textDocument: { text } } })),
      rerankingConfiguration: {
        type: "BEDROCK_RERANKING_MODEL",
        bedrockRerankingConfiguration: { numberOfResults: Math.min(req.top_n ?? texts.length, texts.length), modelConfiguration: { modelArn: rerankModelArn(dep) } },
      },
    };
    return signedPost(`${agentRuntimeBase(dep)}/rerank`, JSON.stringify(body), dep);
  },
  response(text, req, _dep, ctx) {
    const r = parseJson(text, "Bedrock");
    const results = Array.isArray(r.results) ? r.results.map((x) => ({ index: (x as { index?: unknown })?.index, relevance_score: (x as { relevanceScore?: unknown })?.relevanceScore })) : r.results;
    return rerankAnswer(req, { results, searchUnits: Math.ceil(documentTexts(req).length / DOCUMENTS_PER_QUERY) }, ctx.requestId);
  },
  error: bedrockError,
  unsupported: ["max_tokens_per_doc"],
};

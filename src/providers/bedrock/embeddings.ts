import { modelSegment } from "../shared/url";
import type { Deployment } from "../../config/deployment";
import { invalidRequest, upstreamJson, upstreamUnreadable } from "../../http/errors";
import { inputTexts, type EmbeddingsRequest } from "../../api/embeddings";
import { embeddingsList, estimateTokens } from "../shared/embeddings";
import type { AdapterContext, EmbeddingsAdapter, TranslatedResponse } from "../types";
import { bedrockError } from "./errors";
import { baseModel, modelId, modelName } from "./models";
import { runtimeBase } from "./request";
import { credentialsOf, signedPost } from "./sign";

/**
 * Embeddings through InvokeModel (`POST {base}/model/{modelId}/invoke`), in each family's own body:
 * - Amazon Titan text (amazon.titan-embed-text-v2:0, -v1, g1-text-02): one input per call,
 *   `{inputText, dimensions, normalize}` (v2) or `{inputText}` (v1); a list is sent as one call
 *   per input, in parallel;
 * - Cohere embed (cohere.embed-english-v3, -multilingual-v3, embed-v4): `{texts, input_type}`, at
 *   most 96 texts a call (longer lists are split); it reports no token counts, so they are estimated.
 */

type Family = "titan-v2" | "titan-v1" | "cohere-v3" | "cohere-v4";

/** Inputs per request the gateway accepts for a one-input-per-call model (each is a subrequest of the Worker). */
export const MAX_TITAN_INPUTS = 100;
const COHERE_BATCH = 96;

function familyOf(dep: Deployment): Family {
  const base = baseModel(modelName(dep));
  if (base.startsWith("amazon.titan-embed-text-v2")) return "titan-v2";
  if (base.startsWith("amazon.titan-embed-text-v1") || base.startsWith("amazon.titan-embed-g1-text")) return "titan-v1";
  if (base.startsWith("cohere.embed-v4")) return "cohere-v4";
  if (base.startsWith("cohere.embed-")) return "cohere-v3";
  throw invalidRequest(`The bedrock model '${base}' is not an embeddings model this gateway serves (Amazon Titan text embeddings and Cohere embed are).`, "model");
}

const isTitan = (f: Family): boolean => f === "titan-v1" || f === "titan-v2";

function refuseDimensions(req: EmbeddingsRequest, family: Family, ctx: AdapterContext): void {
  if (req.dimensions == null || ctx.dropParams || family === "titan-v2" || family === "cohere-v4") return;
  throw invalidRequest(
    `The parameter 'dimensions' is not supported by bedrock model family ${family}. Remove it, or set drop_params: true (in the request or in litellm_settings) to drop it.`,
    "dimensions",
  );
}

/** The upstream body for one call (its inputs already split to fit the model). */
function invokeBody(req: EmbeddingsRequest, family: Family, ctx: AdapterContext): Record<string, unknown> {
  const texts = inputTexts(req, "bedrock");
  refuseDimensions(req, family, ctx);
  if (isTitan(family)) {
    if (texts.length !== 1) throw invalidRequest("Amazon Titan embeds one input per call.", "input");
    if (family === "titan-v1") return { inputText: texts[0] };
    const body: Record<string, unknown> = { inputText: texts[0], normalize: true };
    if (req.dimensions != null) body.dimensions = req.dimensions;
    return body;
  }
  const body: Record<string, unknown> = { texts, input_type: req.input_type ?? "search_document" };
  if (family === "cohere-v4") {
    body.embedding_types = ["float"];
    if (req.dimensions != null) body.output_dimension = req.dimensions;
  }
  return body;
}

function vectorsOf(parsed: Record<string, unknown>, family: Family): number[][] {
  const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");
  if (isTitan(family)) {
    if (!isVector(parsed.embedding)) throw upstreamUnreadable("The upstream's Titan embeddings answer has no 'embedding'.");
    return [parsed.embedding];
  }
  const raw = parsed.embeddings;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? (raw as { float?: unknown }).float : undefined;
  if (!Array.isArray(list) || !list.every(isVector)) throw upstreamUnreadable("The upstream's Cohere embeddings answer has no float 'embeddings'.");
  return list;
}

export const bedrockEmbeddings: EmbeddingsAdapter = {
  split(req, dep) {
    const family = familyOf(dep);
    if (typeof req.input === "string") return [req];
    const texts = inputTexts(req, "bedrock");
    if (isTitan(family)) {
      if (texts.length > MAX_TITAN_INPUTS) {
        throw invalidRequest(`Amazon Titan embeds one input per call; this gateway takes at most ${MAX_TITAN_INPUTS} inputs per request for it (got ${texts.length}).`, "input");
      }
      return texts.map((input) => ({ ...req, input }));
    }
    const parts: EmbeddingsRequest[] = [];
    for (let i = 0; i < texts.length; i += COHERE_BATCH) parts.push({ ...req, input: texts.slice(i, i + COHERE_BATCH) });
    return parts;
  },

  async request(req, dep, ctx) {
    credentialsOf(dep);
    const body = invokeBody(req, familyOf(dep), ctx);
    return signedPost(`${runtimeBase(dep)}/model/${modelSegment(modelId(dep))}/invoke`, JSON.stringify(body), dep);
  },

  response(text, req, dep): TranslatedResponse {
    const parsed = upstreamJson(text);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw upstreamUnreadable("The upstream's embeddings answer is not a JSON object.");
    const o = parsed as Record<string, unknown>;
    const family = familyOf(dep);
    const vectors = vectorsOf(o, family);
    const counted = typeof o.inputTextTokenCount === "number" ? o.inputTextTokenCount : undefined;
    const tokens = counted ?? estimateTokens(inputTexts(req, "bedrock"));
    const usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
    return { json: embeddingsList(vectors, modelName(dep), usage, req.encoding_format), usage };
  },

  error: bedrockError,
};

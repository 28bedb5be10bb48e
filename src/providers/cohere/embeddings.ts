import { upstreamUnreadable } from "../../http/errors";
import type { EmbeddingsRequest } from "../../api/embeddings";
import { inputTexts } from "../../api/embeddings";
import { embeddingsList } from "../shared/embeddings";
import type { EmbeddingsAdapter, Usage } from "../types";
import { cohereError } from "./errors";
import { cohereBase, cohereHeaders } from "./http";
import type { CohereEmbedResponse } from "./types";

/** Cohere's v2 embed takes at most 96 texts a call: larger inputs go in parts, joined in order. */
const MAX_TEXTS = 96;

/**
 * v2 embed (https://docs.cohere.com/reference/embed): `texts`, an `input_type` (the request's,
 * else `search_document`, LiteLLM's default: what is embedded is usually stored to be searched),
 * float vectors, `dimensions` as `output_dimension` (embed-v4). Usage is the billed input tokens
 * (`meta.billed_units.input_tokens`); `encoding_format: "base64"` is honoured by converting the floats.
 */
export const cohereEmbeddings: EmbeddingsAdapter = {
  split(req) {
    const texts = inputTexts(req, "Cohere");
    if (texts.length <= MAX_TEXTS) return [req];
    const parts: EmbeddingsRequest[] = [];
    for (let i = 0; i < texts.length; i += MAX_TEXTS) parts.push({ ...req, input: texts.slice(i, i + MAX_TEXTS) });
    return parts;
  },
  request(req, dep) {
    const body: Record<string, unknown> = { model: dep.model, texts: inputTexts(req, "Cohere"), input_type: req.input_type ?? "search_document", embedding_types: ["float"] };
    if (req.dimensions) body.output_dimension = req.dimensions;
    return new Request(`${cohereBase(dep)}/v2/embed`, { method: "POST", headers: cohereHeaders(dep), body: JSON.stringify(body) });
  },
  response(text, req, dep) {
    let r: CohereEmbedResponse;
    try {
      r = JSON.parse(text) as CohereEmbedResponse;
    } catch {
      throw upstreamUnreadable("Cohere answered with a body that is not JSON.");
    }
    const vectors = r?.embeddings?.float;
    if (!Array.isArray(vectors)) throw upstreamUnreadable("Cohere's embed answer has no embeddings.float.");
    const tokens = r.meta?.billed_units?.input_tokens ?? 0;
    const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
    return { json: embeddingsList(vectors, dep.model, usage, req.encoding_format), usage };
  },
  error: cohereError,
};

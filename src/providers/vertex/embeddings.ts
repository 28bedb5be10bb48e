import type { Deployment } from "../../config/deployment";
import { upstreamUnreadable } from "../../http/errors";
import { inputTexts, type EmbeddingsRequest } from "../../api/embeddings";
import { parseJson, taskType, vector } from "../gemini/embeddings";
import type { Json } from "../gemini/types";
import { embeddingsList } from "../shared/embeddings";
import type { TranslatedResponse, Usage } from "../types";

/**
 * Vertex AI's `:predict` for text embedding models: {instances: [{content, task_type}],
 * parameters: {outputDimensionality}}; the answer's predictions[].embeddings carry the vector and
 * `statistics.token_count`, which is the usage.
 */
export function predictBody(req: EmbeddingsRequest): Json {
  const task = taskType(req, "vertex_ai");
  const instances = inputTexts(req, "vertex_ai").map((content) => (task ? { content, task_type: task } : { content }));
  const body: Json = { instances };
  if (req.dimensions != null) body.parameters = { outputDimensionality: req.dimensions };
  return body;
}

export function predictResponse(text: string, req: EmbeddingsRequest, dep: Deployment): TranslatedResponse {
  const parsed = parseJson(text);
  const predictions = parsed.predictions;
  if (!Array.isArray(predictions) || predictions.length !== inputTexts(req, "vertex_ai").length) {
    throw upstreamUnreadable("The upstream's predict answer does not hold one prediction per input.");
  }
  let tokens = 0;
  const vectors = predictions.map((p, i) => {
    const e = (p as Json | null)?.embeddings as Json | undefined;
    const count = (e?.statistics as Json | undefined)?.token_count;
    if (typeof count === "number") tokens += count;
    return vector(e?.values, `predictions[${i}].embeddings.values`);
  });
  const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  return { json: embeddingsList(vectors, dep.model, usage, req.encoding_format), usage };
}

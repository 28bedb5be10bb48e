import type { ChatRequest } from "../api/chat";
import type { CallContext } from "../gateway/types";
import { callModel } from "../gateway/pipeline";
import { GatewayError, invalidRequest } from "../http/errors";
import { chatCall } from "../gateway/calls/chat";

const MAX_MODELS = 10;

/** The model groups of LiteLLM's batch form, `model: "gpt-4o,claude"`; undefined for one model. */
export function batchModels(req: ChatRequest): string[] | undefined {
  // LiteLLM's "first answer wins" variant of the batch form.
  if ((req as Record<string, unknown>).fastest_response) throw invalidRequest("'fastest_response' is not supported: a comma-separated 'model' answers every model's completion.", "fastest_response");
  const model = req.model;
  if (!model.includes(",")) return undefined;
  const models = model.split(",").map((m) => m.trim());
  if (models.some((m) => !m)) throw invalidRequest("'model' lists an empty model name: write them comma-separated, e.g. \"gpt-4o,claude-3\".", "model");
  if (models.length > MAX_MODELS) throw invalidRequest(`'model' may list at most ${MAX_MODELS} models.`, "model");
  return models;
}

/**
 * LiteLLM's batch completion on the proxy: one request, one completion per listed model (called
 * in parallel, each a model call of its own with its own admission, spend row and request id
 * `<id>-<n>`), answered as a JSON list in the models' order. A model that fails has its error
 * object, `{"error": {...}}`, in its place.
 */
export async function batchCompletions(cx: CallContext, req: ChatRequest, models: string[]): Promise<Response> {
  if (req.stream) throw invalidRequest("A comma-separated 'model' (batch completion) cannot be streamed.", "stream");
  const answers = await Promise.all(
    models.map(async (model, i) => {
      try {
        const res = await callModel({ ...cx, requestId: `${cx.requestId}-${i}` }, chatCall({ ...req, model }));
        return (await res.json()) as unknown;
      } catch (e) {
        if (e instanceof GatewayError) return e.body();
        throw e;
      }
    }),
  );
  return Response.json(answers);
}

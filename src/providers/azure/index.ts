import { withoutGatewayFields } from "../../api/controls";
import { translateStream } from "../../http/sse";
import { compatBody, compatEmbeddingsAdapter, compatResponse } from "../openai-compat/adapter";
import type { ChatAdapter, EmbeddingsAdapter, ProviderEntry } from "../types";
import { azureError } from "./errors";
import { azureStreamTranslator } from "./stream";
import { azureHeaders, azureUrl, credentialsProblem, deploymentName, takesStreamOptions } from "./url";

export { azureError } from "./errors";
export { azureHeaders, azureUrl, DEFAULT_API_VERSION } from "./url";

/**
 * Azure OpenAI: OpenAI's wire format at Azure's URLs (url.ts), with Azure's errors (errors.ts) and
 * the stream's prompt-filter chunk dropped (stream.ts). The body is the client's request with the
 * deployment name as `model` (Azure ignores it on deployment URLs; the v1 API routes by it).
 */
const azureChat: ChatAdapter = {
  request(req, dep) {
    const body = compatBody(req, dep, { streamUsage: takesStreamOptions(dep) });
    body.model = deploymentName(dep);
    return new Request(azureUrl(dep, "chat/completions"), { method: "POST", headers: azureHeaders(dep), body: JSON.stringify(body) });
  },
  response: (text) => compatResponse(text),
  stream(body, _dep, ctx, sink) {
    return translateStream(body, azureStreamTranslator(ctx, sink), (o) => sink.end(o));
  },
  error: azureError,
};

const passEmbeddings = compatEmbeddingsAdapter({});

/** `{api_base}/openai/deployments/{deployment}/embeddings?api-version=...` (or the v1 form); the answer is OpenAI's. */
const azureEmbeddings: EmbeddingsAdapter = {
  request(req, dep) {
    const body: Record<string, unknown> = { ...withoutGatewayFields(req), model: deploymentName(dep) };
    delete body.input_type;
    return new Request(azureUrl(dep, "embeddings"), { method: "POST", headers: azureHeaders(dep), body: JSON.stringify(body) });
  },
  response: passEmbeddings.response,
  error: azureError,
};

export const azureProvider: ProviderEntry = {
  chat: azureChat,
  embeddings: azureEmbeddings,
  passthrough: { url: (dep, path) => azureUrl(dep, path), headers: (dep) => azureHeaders(dep, false), error: azureError },
  params: ["azure_ad_token"],
  requiresApiBase: true,
  requiresApiKey: false,
  priceProvider: "azure",
  check: credentialsProblem,
};

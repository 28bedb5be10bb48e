import { withoutGatewayFields } from "../../api/controls";
import { invalidRequest } from "../../http/errors";
import { translateStream } from "../../http/sse";
import type { ChatRequest } from "../../api/chat";
import { compatBody, compatEmbeddingsAdapter, compatResponse } from "../openai-compat/adapter";
import type { AdapterContext, ChatAdapter, EmbeddingsAdapter, ProviderEntry } from "../types";
import { ACCOUNT_PARAM, accountCheck, workersAiBase, workersAiHeaders } from "./base";
import { workersAiError } from "./errors";
import { workersAiStreamTranslator } from "./stream";

/** The gateway asks for `stream_options.include_usage`, and reads usage from whichever chunk carries it. */
const quirks = { streamUsage: true };

/** Workers AI's JSON mode does not stream (its JSON-mode reference, "Known limitations"). */
function refuseStreamedJson(req: ChatRequest, body: Record<string, unknown>, ctx: AdapterContext): void {
  const type = req.response_format?.type;
  if (!req.stream || (type !== "json_object" && type !== "json_schema")) return;
  if (ctx.dropParams) {
    delete body.response_format;
    return;
  }
  throw invalidRequest("Workers AI's JSON mode does not stream: send 'response_format' with stream: false, or set drop_params: true to drop it from streamed calls.", "response_format");
}

/**
 * Cloudflare Workers AI through its OpenAI-compatible REST API (base.ts), called with `fetch` and
 * an API token like every provider (the Workers AI binding has no local emulation). Models are
 * named as Cloudflare names them: `workers_ai/@cf/meta/llama-3.1-8b-instruct`, or LiteLLM's
 * `cloudflare/@cf/...`. Requests and answers are OpenAI's.
 */
const workersAiChat: ChatAdapter = {
  request(req, dep, ctx) {
    const body = compatBody(req, dep, quirks);
    refuseStreamedJson(req, body, ctx);
    return new Request(`${workersAiBase(dep)}/chat/completions`, { method: "POST", headers: workersAiHeaders(dep), body: JSON.stringify(body) });
  },
  response: (text) => compatResponse(text),
  stream(body, _dep, ctx, sink) {
    return translateStream(body, workersAiStreamTranslator(ctx, sink), (o) => sink.end(o));
  },
  error: workersAiError,
};

const passEmbeddings = compatEmbeddingsAdapter(quirks);

/** `{base}/embeddings` (`@cf/baai/bge-*` and the like); request and answer are OpenAI's. */
const workersAiEmbeddings: EmbeddingsAdapter = {
  request(req, dep) {
    const body: Record<string, unknown> = { ...withoutGatewayFields(req), model: dep.model };
    delete body.input_type;
    return new Request(`${workersAiBase(dep)}/embeddings`, { method: "POST", headers: workersAiHeaders(dep), body: JSON.stringify(body) });
  },
  response: passEmbeddings.response,
  error: workersAiError,
};

export const workersAiProvider: ProviderEntry = {
  chat: workersAiChat,
  embeddings: workersAiEmbeddings,
  params: [ACCOUNT_PARAM],
  requiresApiKey: true,
  priceProvider: "cloudflare",
  check: accountCheck,
};

/** Registry entries: `workers_ai/` and LiteLLM's `cloudflare/` prefix. */
export const workersAiProviders: Readonly<Record<string, ProviderEntry>> = { workers_ai: workersAiProvider, cloudflare: workersAiProvider };

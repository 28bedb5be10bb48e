import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../http/middleware";
import { speech, transcribe } from "./audio";
import { withPathModel } from "./azure";
import { chatCompletions } from "./chat";
import { completions } from "./completions";
import { countTokens } from "./count-tokens";
import { embeddings } from "./embeddings";
import { imageGenerations } from "./images";
import { messages } from "./messages";
import { moderations } from "./moderations";
import { rerank } from "./rerank";
import { responses } from "./responses";

/**
 * The API surfaces other clients speak, each onto the same call path as /v1/chat/completions:
 * Anthropic's Messages API (errors in Anthropic's shape: see isAnthropicRoute in app.onError),
 * OpenAI's Responses API and legacy completions, and Azure OpenAI's deployment paths.
 */
export const surfaces = new Hono<AppEnv>();

for (const prefix of ["/v1", ""]) {
  surfaces.post(`${prefix}/messages`, requireAuth("model"), messages);
  surfaces.post(`${prefix}/messages/count_tokens`, requireAuth("key"), countTokens);
  surfaces.post(`${prefix}/responses`, requireAuth("model"), responses);
  surfaces.post(`${prefix}/completions`, requireAuth("model"), completions);
  surfaces.post(`${prefix}/audio/transcriptions`, requireAuth("model"), transcribe("audio/transcriptions"));
  surfaces.post(`${prefix}/audio/translations`, requireAuth("model"), transcribe("audio/translations"));
  surfaces.post(`${prefix}/audio/speech`, requireAuth("model"), speech);
  surfaces.post(`${prefix}/images/generations`, requireAuth("model"), imageGenerations);
  surfaces.post(`${prefix}/moderations`, requireAuth("model"), moderations);
  surfaces.post(`${prefix}/rerank`, requireAuth("model"), rerank);
}
surfaces.post("/v2/rerank", requireAuth("model"), rerank);

const azure = "/openai/deployments/:deployment";
surfaces.post(`${azure}/chat/completions`, requireAuth("model"), withPathModel(chatCompletions));
surfaces.post(`${azure}/embeddings`, requireAuth("model"), withPathModel(embeddings));
surfaces.post(`${azure}/completions`, requireAuth("model"), withPathModel(completions));
surfaces.post(`${azure}/responses`, requireAuth("model"), withPathModel(responses));
surfaces.post(`${azure}/images/generations`, requireAuth("model"), withPathModel(imageGenerations));
// Azure's newer v1 API: the model in the body, as on /v1.
surfaces.post("/openai/v1/chat/completions", requireAuth("model"), chatCompletions);
surfaces.post("/openai/v1/embeddings", requireAuth("model"), embeddings);
surfaces.post("/openai/v1/responses", requireAuth("model"), responses);

import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { requireAuth } from "../http/middleware";
import { modelAuth } from "./model-auth";
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
  surfaces.post(`${prefix}/messages`, modelAuth, messages);
  surfaces.post(`${prefix}/messages/count_tokens`, requireAuth("key"), countTokens);
  surfaces.post(`${prefix}/responses`, modelAuth, responses);
  surfaces.post(`${prefix}/completions`, modelAuth, completions);
  surfaces.post(`${prefix}/audio/transcriptions`, modelAuth, transcribe("audio/transcriptions"));
  surfaces.post(`${prefix}/audio/translations`, modelAuth, transcribe("audio/translations"));
  surfaces.post(`${prefix}/audio/speech`, modelAuth, speech);
  surfaces.post(`${prefix}/images/generations`, modelAuth, imageGenerations);
  surfaces.post(`${prefix}/moderations`, modelAuth, moderations);
  surfaces.post(`${prefix}/rerank`, modelAuth, rerank);
}
surfaces.post("/v2/rerank", modelAuth, rerank);

const azure = "/openai/deployments/:deployment";
surfaces.post(`${azure}/chat/completions`, modelAuth, withPathModel(chatCompletions));
surfaces.post(`${azure}/embeddings`, modelAuth, withPathModel(embeddings));
surfaces.post(`${azure}/completions`, modelAuth, withPathModel(completions));
surfaces.post(`${azure}/responses`, modelAuth, withPathModel(responses));
surfaces.post(`${azure}/images/generations`, modelAuth, withPathModel(imageGenerations));
// Azure's newer v1 API: the model in the body, as on /v1.
surfaces.post("/openai/v1/chat/completions", modelAuth, chatCompletions);
surfaces.post("/openai/v1/embeddings", modelAuth, embeddings);
surfaces.post("/openai/v1/responses", modelAuth, responses);

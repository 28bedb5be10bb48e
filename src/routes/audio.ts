import type { Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { parseBody } from "../api/parse";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import type { PassthroughAdapter, TranslatedResponse, Usage } from "../providers/types";
import { estimateTokens } from "../spend/estimate";
import { priceCall } from "../spend/pricing";
import { answerOutcome, sendUpstream } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { Attempt, ModelCall } from "../gateway/types";

/**
 * The longest a file of this size can play, for the reservation: at 4 kbit/s, below what speech
 * codecs use, so the bound holds for any upload.
 */
const mostSeconds = (bytes: number) => Math.ceil(bytes / 500);
/** Audio input tokens per second of token-priced transcription models, with a margin (OpenAI: ~10). */
const AUDIO_TOKENS_PER_SECOND = 20;

export function passthroughOf(a: Attempt, model: string, what = "audio"): PassthroughAdapter {
  const adapter = a.provider.passthrough;
  if (!adapter) throw invalidRequest(`The model '${model}' is served by ${a.dep.provider}, which has no ${what} API on this gateway.`, "model");
  return adapter;
}

/** The form a client sent, read once (it holds the audio file, within the body limit). */
async function readForm(c: Context<AppEnv>): Promise<FormData> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("multipart/form-data")) throw invalidRequest("Send the audio as multipart/form-data with 'file' and 'model'.");
  try {
    return await c.req.raw.formData();
  } catch {
    throw invalidRequest("The multipart body could not be read.");
  }
}

/** A transcription's cost: by its token usage when it has one, else by the second when the config prices that. */
function transcriptionAnswer(text: string, contentType: string, a: Attempt): TranslatedResponse {
  let usage: Usage | null = null;
  let seconds: number | undefined;
  if (contentType.includes("json")) {
    try {
      const body = JSON.parse(text) as { usage?: { type?: string; input_tokens?: number; output_tokens?: number; seconds?: number }; duration?: number };
      const u = body.usage;
      if (u?.type === "tokens" || u?.input_tokens !== undefined) {
        const p = u?.input_tokens ?? 0;
        const o = u?.output_tokens ?? 0;
        usage = { prompt_tokens: p, completion_tokens: o, total_tokens: p + o };
      }
      seconds = u?.seconds ?? body.duration;
    } catch {
      /* passed on as it came */
    }
  }
  const perSecond = a.dep.costs.perSecond;
  const cost = perSecond !== undefined && seconds !== undefined ? seconds * perSecond : usage ? priceCall(a.dep, usage) : null;
  return { json: text, usage, cost, contentType };
}

/** POST /v1/audio/transcriptions and /translations: the form goes upstream as it came, with the deployment's model. */
export const transcribe = (path: "audio/transcriptions" | "audio/translations") => async (c: Context<AppEnv>) => {
  const form = await readForm(c);
  const model = form.get("model");
  if (typeof model !== "string" || !model) throw invalidRequest("The form needs a 'model' field.", "model");
  const file = form.get("file");
  if (!file || typeof file === "string") throw invalidRequest("The form needs the audio as a 'file' field.", "file");
  const user = form.get("user");
  const req = { model, user: typeof user === "string" ? user : undefined };
  const seconds = mostSeconds(file.size);
  const call: ModelCall = {
    route: path,
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: seconds * AUDIO_TOKENS_PER_SECOND, maxCompletionTokens: seconds * 10 }),
    mostCost: (dep) => (dep.costs.perSecond !== undefined ? seconds * dep.costs.perSecond : null),
    attempt(a) {
      const audio = passthroughOf(a, model);
      const upstreamForm = new FormData();
      for (const [k, v] of form.entries()) if (k !== "model") upstreamForm.append(k, v);
      upstreamForm.set("model", a.dep.model);
      return answerOutcome(
        a,
        () => new Request(audio.url(a.dep, path), { method: "POST", headers: audio.headers(a.dep), body: upstreamForm }),
        (s, t, h) => audio.error(s, t, h, a.dep),
        (text) => transcriptionAnswer(text, a.upstreamHeaders?.get("content-type") ?? "application/json", a),
      );
    },
  };
  return callModel(httpCallContext(c), call);
};

const speechSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  input: z.string().check(z.minLength(1, "input must not be empty"), z.maxLength(4096)),
  voice: z.union([z.string().check(z.minLength(1)), z.looseObject({ id: z.string() })]),
  response_format: z.optional(z.enum(["mp3", "opus", "aac", "flac", "wav", "pcm"])),
  speed: z.optional(z.number().check(z.gte(0.25), z.lte(4))),
  user: z.optional(z.string()),
});

/** POST /v1/audio/speech: JSON in, the upstream's audio streamed back as it comes; priced per input character. */
export async function speech(c: Context<AppEnv>): Promise<Response> {
  const body = await readJson(c);
  const req = parseBody(speechSchema, body);
  const call: ModelCall = {
    route: "audio/speech",
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: estimateTokens(req.input), maxCompletionTokens: 0 }),
    mostCost: (dep) => (dep.costs.perCharacter !== undefined ? req.input.length * dep.costs.perCharacter : null),
    async attempt(a) {
      const audio = passthroughOf(a, req.model);
      const headers = audio.headers(a.dep);
      headers.set("content-type", "application/json");
      const sent = await sendUpstream(
        a,
        () => new Request(audio.url(a.dep, "audio/speech"), { method: "POST", headers, body: JSON.stringify({ ...req, model: a.dep.model }) }),
        (s, t, h) => audio.error(s, t, h, a.dep),
      );
      sent.done();
      const tokens = estimateTokens(req.input);
      const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
      const perChar = a.dep.costs.perCharacter;
      return { kind: "bytes", upstream: sent.response, usage, cost: perChar !== undefined ? req.input.length * perChar : priceCall(a.dep, usage) };
    },
  };
  return callModel(httpCallContext(c), call);
}

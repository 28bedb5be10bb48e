import type { Context } from "hono";
import * as z from "zod/mini";
import { withoutGatewayFields } from "../api/controls";
import { parseBody } from "../api/parse";
import type { AppEnv } from "../app-env";
import { answerOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { upstreamJson, upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { openaiUsage } from "../providers/usage";
import { imagePrice } from "../spend/image-prices";
import { priceCall } from "../spend/pricing";
import { passthroughOf } from "./audio";

const imagesSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  prompt: z.string().check(z.minLength(1, "prompt must not be empty"), z.maxLength(32_000)),
  n: z.optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(10)))),
  size: z.optional(z.nullable(z.string())),
  quality: z.optional(z.nullable(z.string())),
  response_format: z.optional(z.nullable(z.enum(["url", "b64_json"]))),
  user: z.optional(z.string()),
});

const IMAGE_TOKENS_MOST = 6240;

type ImagesRequest = z.infer<typeof imagesSchema>;

/**
 * An image generation as a model call, for providers with OpenAI's images API (OpenAI, Azure, the
 * compatible family): the request passes on with the deployment's model. Priced by the answer's
 * token usage (gpt-image-*), else per image with output_cost_per_image, else by OpenAI's DALL·E price
 * table (size and quality); unpriced otherwise.
 */
function imagesCall(req: ImagesRequest): ModelCall {
  return {
    route: "images/generations",
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    // Token-priced image models (gpt-image-*) produce up to ~6,200 output tokens per image (high quality, largest size).
    estimate: () => ({ promptTokens: Math.ceil(req.prompt.length / 4), maxCompletionTokens: IMAGE_TOKENS_MOST, choices: req.n ?? 1 }),
    mostCost: (dep) => (dep.costs.perImage !== undefined ? (req.n ?? 1) * dep.costs.perImage : null),
    attempt(a) {
      const p = passthroughOf(a, req.model, "image generation");
      const headers = p.headers(a.dep);
      headers.set("content-type", "application/json");
      const build = () => new Request(p.url(a.dep, "images/generations"), { method: "POST", headers, body: JSON.stringify({ ...withoutGatewayFields(req), model: a.dep.model }) });
      return answerOutcome(
        a,
        build,
        (s, t, h) => p.error(s, t, h, a.dep),
        (text) => {
          const body: { data?: unknown[]; usage?: unknown } = upstreamJson(text);
          if (!Array.isArray(body.data)) throw upstreamUnreadable("The upstream's images answer has no 'data'.");
          const usage = openaiUsage(body.usage);
          const perImage = a.dep.costs.perImage ?? (usage ? undefined : imagePrice(a.dep.baseModel ?? a.dep.model, req.size, req.quality));
          const cost = perImage !== undefined ? body.data.length * perImage : usage ? priceCall(a.dep, usage) : null;
          return { json: text, usage, cost };
        },
      );
    },
  };
}

/** POST /v1/images/generations. */
export async function imageGenerations(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), imagesCall(parseBody(imagesSchema, await readJson(c))));
}

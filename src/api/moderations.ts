import * as z from "zod/mini";
import { parseBody } from "./parse";

const part = z.looseObject({ type: z.enum(["text", "image_url"]) });

/** OpenAI's moderations request. `model` may be left out: OpenAI's default, omni-moderation-latest, is then asked for. */
const moderationsRequestSchema = z.looseObject({
  model: z.optional(z.string().check(z.minLength(1, "model must not be empty"))),
  input: z.union([z.string(), z.array(z.string()).check(z.minLength(1, "input must not be empty")), z.array(part).check(z.minLength(1, "input must not be empty"))]),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  fallbacks: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
  num_retries: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});

export type ModerationsRequest = z.infer<typeof moderationsRequestSchema> & { model: string };

/** OpenAI's default moderation model, used when the request names none. */
const DEFAULT_MODERATION_MODEL = "omni-moderation-latest";

export function parseModerationsRequest(body: unknown): ModerationsRequest {
  const req = parseBody(moderationsRequestSchema, body);
  return { ...req, model: req.model ?? DEFAULT_MODERATION_MODEL };
}

import * as z from "zod/mini";
import { parseBody } from "./parse";

/**
 * Body fields that are the gateway's own (LiteLLM's request controls and test hooks): read by the
 * gateway, never sent upstream, whatever drop_params says.
 */
export const GATEWAY_FIELDS = [
  "drop_params",
  "fallbacks",
  "num_retries",
  "timeout",
  "stream_timeout",
  "mock_response",
  "mock_testing_fallbacks",
  "mock_testing_rate_limit_error",
  "cache",
  "tags",
  "no-log",
  // Read by the batch form of /v1/chat/completions (refused there: it is not supported).
  "fastest_response",
] as const;

/** A copy of a client body without the gateway's fields (`metadata` too unless the upstream API has its own). */
export function withoutGatewayFields<T extends Record<string, unknown>>(body: T, opts: { keepMetadata?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const f of GATEWAY_FIELDS) delete out[f];
  if (!opts.keepMetadata) delete out.metadata;
  return out;
}

const modelName = z.string().check(z.minLength(1));
/** Seconds, as LiteLLM takes them: a number or a numeric string. */
const seconds = z.union([z.number().check(z.positive(), z.lte(3600)), z.string().check(z.regex(/^\d+(\.\d+)?$/, "must be a number of seconds"))]);

/**
 * LiteLLM's request-level fallbacks, in each of its forms: model groups (`["gpt-3.5"]`), the
 * client-side object form (`[{"model": "gpt-3.5"}]`), and the router's mapping form
 * (`[{"gpt-4": ["gpt-3.5"]}]`, applied when its key is the requested model or `*`).
 */
const fallbackItem = z.union([
  modelName,
  z.strictObject({ model: modelName }),
  z.record(z.string(), z.array(modelName).check(z.maxLength(10))).check(z.refine((m) => Object.keys(m).length > 0, 'a fallback is a model name, {"model": name} or {"<model>": [names]}')),
]);

const controlsSchema = z.looseObject({
  fallbacks: z.optional(z.nullable(z.array(fallbackItem).check(z.maxLength(10)))),
  num_retries: z.optional(z.nullable(z.number().check(z.int(), z.gte(0), z.lte(10)))),
  timeout: z.optional(z.nullable(seconds)),
  stream_timeout: z.optional(z.nullable(seconds)),
  mock_response: z.optional(z.nullable(z.string())),
  mock_testing_fallbacks: z.optional(z.nullable(z.boolean())),
  mock_testing_rate_limit_error: z.optional(z.nullable(z.boolean())),
  tags: z.optional(z.nullable(z.array(z.string()).check(z.maxLength(50)))),
});

export type BodyControls = z.infer<typeof controlsSchema>;
type FallbackItem = z.infer<typeof fallbackItem>;

/** The control fields of a client body, validated (a 400 naming the field otherwise). */
export function parseControls(body: unknown): BodyControls {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return {};
  return parseBody(controlsSchema, body);
}

/** The fallback model groups the request's own `fallbacks` give for `requested` (undefined: none given). */
export function requestFallbacks(items: FallbackItem[] | null | undefined, requested: string): string[] | undefined {
  if (!items) return undefined;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === "string") out.push(item);
    else if (typeof item.model === "string" && Object.keys(item).length === 1) out.push(item.model);
    else {
      const mapped = item as Record<string, string[]>;
      out.push(...(mapped[requested] ?? mapped["*"] ?? []));
    }
  }
  return out;
}

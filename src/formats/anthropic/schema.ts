import * as z from "zod/mini";
import { formatPath } from "../../api/parse";
import { invalidRequest } from "../../http/errors";

/** A content block: the fields each type needs are read (and checked) by the translation. */
const block = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(block)]),
});

const tool = z.looseObject({
  name: z.string().check(z.minLength(1)),
  type: z.optional(z.nullable(z.string())),
  description: z.optional(z.string()),
  input_schema: z.optional(z.record(z.string(), z.unknown())),
});

const toolChoice = z.looseObject({
  type: z.enum(["auto", "any", "tool", "none"]),
  name: z.optional(z.string()),
  disable_parallel_tool_use: z.optional(z.boolean()),
});

const int = z.number().check(z.int());

/** Anthropic's Messages request (fields it does not name are read by the native path, or ignored). */
export const messagesRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  max_tokens: int.check(z.positive()),
  messages: z.array(message).check(z.minLength(1, "messages must have at least one message")),
  system: z.optional(z.union([z.string(), z.array(block)])),
  stop_sequences: z.optional(z.array(z.string())),
  stream: z.optional(z.boolean()),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_p: z.optional(z.number().check(z.gte(0), z.lte(1))),
  top_k: z.optional(int.check(z.gte(0))),
  tools: z.optional(z.array(tool)),
  tool_choice: z.optional(toolChoice),
  thinking: z.optional(z.looseObject({ type: z.string(), budget_tokens: z.optional(int) })),
  output_config: z.optional(
    z.looseObject({
      effort: z.optional(z.nullable(z.string())),
      format: z.optional(z.nullable(z.looseObject({ type: z.string(), schema: z.optional(z.record(z.string(), z.unknown())) }))),
    }),
  ),
  metadata: z.optional(z.looseObject({ user_id: z.optional(z.nullable(z.string())) })),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type AnthropicInputMessage = MessagesRequest["messages"][number];
export type AnthropicInputBlock = z.infer<typeof block>;

/** The body of POST /v1/messages/count_tokens: the request without max_tokens. */
export const countTokensSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  messages: z.array(message).check(z.minLength(1, "messages must have at least one message")),
  system: z.optional(z.union([z.string(), z.array(block)])),
  tools: z.optional(z.array(tool)),
});

export type CountTokensRequest = z.infer<typeof countTokensSchema>;

/** Validates a parsed JSON body; a violation is a 400 naming the field. */
export function parseAnthropic<S extends z.ZodMiniType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = formatPath(issue.path);
  throw invalidRequest(`${param}: ${issue.message}`, param);
}

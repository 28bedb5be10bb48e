import * as z from "zod/mini";
import { parseBody } from "./parse";

const contentPart = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.optional(z.nullable(z.union([z.string(), z.array(contentPart)]))),
  name: z.optional(z.string()),
  tool_call_id: z.optional(z.string()),
  tool_calls: z.optional(z.nullable(z.array(z.looseObject({ id: z.string(), type: z.optional(z.string()), function: z.looseObject({ name: z.string(), arguments: z.string() }) })))),
});

const tool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().check(z.minLength(1)), description: z.optional(z.string()), parameters: z.optional(z.record(z.string(), z.unknown())) }),
});

const positiveInt = z.number().check(z.int(), z.positive());

/** OpenAI's chat request. Fields the schema does not name pass through to the adapter. */
export const chatRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  messages: z.array(message).check(z.minLength(1, "messages must have at least one message")),
  stream: z.optional(z.nullable(z.boolean())),
  stream_options: z.optional(z.nullable(z.looseObject({ include_usage: z.optional(z.boolean()) }))),
  temperature: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(2)))),
  top_p: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(1)))),
  n: z.optional(z.nullable(positiveInt)),
  max_tokens: z.optional(z.nullable(positiveInt)),
  max_completion_tokens: z.optional(z.nullable(positiveInt)),
  stop: z.optional(z.nullable(z.union([z.string(), z.array(z.string()).check(z.maxLength(4))]))),
  presence_penalty: z.optional(z.nullable(z.number().check(z.gte(-2), z.lte(2)))),
  frequency_penalty: z.optional(z.nullable(z.number().check(z.gte(-2), z.lte(2)))),
  seed: z.optional(z.nullable(z.number().check(z.int()))),
  user: z.optional(z.string()),
  tools: z.optional(z.nullable(z.array(tool))),
  tool_choice: z.optional(z.nullable(z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) })]))),
  parallel_tool_calls: z.optional(z.nullable(z.boolean())),
  response_format: z.optional(
    z.nullable(
      z.looseObject({
        type: z.enum(["text", "json_object", "json_schema"]),
        json_schema: z.optional(z.looseObject({ name: z.optional(z.string()), schema: z.optional(z.record(z.string(), z.unknown())), strict: z.optional(z.nullable(z.boolean())) })),
      }),
    ),
  ),
  reasoning_effort: z.optional(z.nullable(z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]))),
  logprobs: z.optional(z.nullable(z.boolean())),
  top_logprobs: z.optional(z.nullable(z.number().check(z.int(), z.gte(0), z.lte(20)))),
  logit_bias: z.optional(z.nullable(z.record(z.string(), z.number()))),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  drop_params: z.optional(z.boolean()),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest["messages"][number];

/** Validates a parsed JSON body; a violation is a 400 whose `param` names the field. */
export const parseChatRequest = (body: unknown): ChatRequest => parseBody(chatRequestSchema, body);

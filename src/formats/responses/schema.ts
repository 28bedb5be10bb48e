import * as z from "zod/mini";
import { parseBody } from "../../api/parse";

/** An input item or content part: the fields each type needs are read (and checked) by the translation. */
const item = z.looseObject({ type: z.optional(z.string()) });

const functionTool = z.looseObject({
  type: z.string(),
  name: z.optional(z.string()),
  description: z.optional(z.nullable(z.string())),
  parameters: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  strict: z.optional(z.nullable(z.boolean())),
});

const toolChoice = z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string(), name: z.optional(z.string()) })]);

/** OpenAI's Responses request (what the chat bridge reads; the native path passes the body on). */
const responsesRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  input: z.union([z.string(), z.array(item)]),
  instructions: z.optional(z.nullable(z.string())),
  stream: z.optional(z.nullable(z.boolean())),
  max_output_tokens: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
  temperature: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(2)))),
  top_p: z.optional(z.nullable(z.number().check(z.gte(0), z.lte(1)))),
  tools: z.optional(z.nullable(z.array(functionTool))),
  tool_choice: z.optional(z.nullable(toolChoice)),
  parallel_tool_calls: z.optional(z.nullable(z.boolean())),
  reasoning: z.optional(z.nullable(z.looseObject({ effort: z.optional(z.nullable(z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]))) }))),
  text: z.optional(
    z.nullable(
      z.looseObject({
        format: z.optional(
          z.nullable(
            z.looseObject({
              type: z.enum(["text", "json_object", "json_schema"]),
              name: z.optional(z.string()),
              schema: z.optional(z.record(z.string(), z.unknown())),
              strict: z.optional(z.nullable(z.boolean())),
            }),
          ),
        ),
      }),
    ),
  ),
  user: z.optional(z.nullable(z.string())),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  previous_response_id: z.optional(z.nullable(z.string())),
  store: z.optional(z.nullable(z.boolean())),
  drop_params: z.optional(z.boolean()),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type InputItem = z.infer<typeof item>;

export const parseResponsesRequest = (body: unknown): ResponsesRequest => parseBody(responsesRequestSchema, body);

/**
 * The Bedrock Converse API's wire shapes (API reference: Converse, ConverseStream, ContentBlock,
 * ToolConfiguration, TokenUsage), as far as the gateway reads or writes them.
 */

type Json = Record<string, unknown>;

export type ImageFormat = "png" | "jpeg" | "gif" | "webp";

export interface CachePoint {
  cachePoint: { type: "default" };
}

interface ReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export type ToolResultContent = { text: string } | { json: unknown } | { image: { format: ImageFormat; source: { bytes: string } } };

export interface ToolResultBlock {
  toolResult: { toolUseId: string; content: ToolResultContent[]; status?: "success" | "error" };
}

export type ContentBlock =
  | { text: string }
  | { image: { format: ImageFormat; source: { bytes: string } } }
  | { document: { format: string; name: string; source: { bytes: string } } }
  | ToolUseBlock
  | ToolResultBlock
  | ReasoningBlock
  | CachePoint;

export type SystemBlock = { text: string } | CachePoint;

export interface ConverseMessage {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Json }; strict?: boolean };
}

export type ToolChoice = { auto: Json } | { any: Json } | { tool: { name: string } };

export interface ConverseBody {
  messages: ConverseMessage[];
  system?: SystemBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ToolSpec[]; toolChoice?: ToolChoice };
  additionalModelRequestFields?: Json;
  outputConfig?: { textFormat: { type: "json_schema"; structure: { jsonSchema: { schema: string; name?: string; description?: string } } } };
}

export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A block of `output.message.content` in a Converse answer (the members the gateway reads). */
interface ResponseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ResponseBlock[] } };
  stopReason?: string;
  usage?: ConverseUsage;
}

/** The name of the forced tool that carries `response_format` where structured outputs are not available (LiteLLM's name). */
export const JSON_TOOL_NAME = "json_tool_call";

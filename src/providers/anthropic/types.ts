/** The parts of Anthropic's Messages API wire format the adapter writes and reads. */

export type CacheControl = Record<string, unknown>;

export interface TextBlock {
  type: "text";
  text: string;
  cache_control?: CacheControl;
}

type MediaSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

export interface ImageBlock {
  type: "image";
  source: MediaSource;
  cache_control?: CacheControl;
}

export interface DocumentBlock {
  type: "document";
  source: MediaSource;
  title?: string;
  cache_control?: CacheControl;
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: unknown;
  cache_control?: CacheControl;
}

export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string | Array<TextBlock | ImageBlock | DocumentBlock>;
  cache_control?: CacheControl;
}

/** A thinking block handed back to Anthropic (LiteLLM's `thinking_blocks` on assistant messages). */
export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

export type Block = TextBlock | ImageBlock | DocumentBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock;

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
  cache_control?: CacheControl;
}

export type AnthropicToolChoice = { type: "auto" | "any"; disable_parallel_tool_use?: boolean } | { type: "tool"; name: string; disable_parallel_tool_use?: boolean } | { type: "none" };

type AnthropicThinking = { type: "enabled"; budget_tokens: number } | { type: "adaptive" };

export interface AnthropicBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: TextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: AnthropicThinking | Record<string, unknown>;
  output_config?: { format?: { type: "json_schema"; schema: Record<string, unknown> }; effort?: string };
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id: string };
  stream?: boolean;
}

/** Anthropic's `usage` object (non-streamed answers, `message_start`, `message_delta`). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

/** A content block of an answer (only the fields the adapter reads). */
export interface ResponseBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  thinking?: string;
  signature?: string;
  data?: string;
}

export interface AnthropicResponse {
  id?: string;
  model?: string;
  content: ResponseBlock[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** The tool the gateway forces to get JSON out of models without structured outputs (LiteLLM's name). */
export const JSON_TOOL_NAME = "json_tool_call";

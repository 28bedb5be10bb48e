/** The parts of the Gemini `generateContent` wire format (AI Studio and Vertex AI share it) the adapter writes and reads. */

export type Json = Record<string, unknown>;

interface Blob {
  mimeType: string;
  /** Base64 of the bytes. */
  data: string;
}

export interface Part {
  text?: string;
  /** The part is the model's thinking (a summary of it), not its answer. */
  thought?: boolean;
  /** Opaque signature of the model's reasoning, to be sent back with the part it came on. */
  thoughtSignature?: string;
  inlineData?: Blob;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { name: string; args?: Json; id?: string };
  functionResponse?: { name: string; response: Json };
}

export interface Content {
  role: "user" | "model";
  parts: Part[];
}

/** A subset of OpenAPI 3.0's Schema object: what `parameters` and `responseSchema` accept. */
export type GeminiSchema = Json;

export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: GeminiSchema;
}

export interface ThinkingConfig {
  thinkingBudget?: number;
  thinkingLevel?: "minimal" | "low" | "medium" | "high";
  includeThoughts?: boolean;
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  responseJsonSchema?: Json;
  thinkingConfig?: ThinkingConfig;
}

export interface GenerateContentRequest {
  contents: Content[];
  systemInstruction?: { parts: Part[] };
  tools?: Array<{ functionDeclarations: FunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] } };
  generationConfig?: GenerationConfig;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
  index?: number;
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string; blockReasonMessage?: string };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  error?: unknown;
}

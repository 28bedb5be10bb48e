/**
 * The OpenAI-compatible family as data: each entry is a provider prefix of `litellm_params.model`,
 * its default base URL (LiteLLM's meaning: includes the version path) and its quirks.
 */
export interface CompatProvider {
  /** Default base URL; absent where the deployment must give `api_base` (self-hosted servers). */
  baseUrl?: string;
  /** The upstream needs no key (local servers); one is still sent when configured. */
  keyOptional?: boolean;
  /** The upstream honours `stream_options.include_usage` (else usage is estimated). */
  streamUsage?: boolean;
  /** Price-table provider id, when it differs from the prefix. */
  priceProvider?: string;
  /** The upstream serves OpenAI's Responses API itself (`{base}/responses`). */
  responses?: boolean;
  /** The upstream serves a rerank API at `{base}/rerank`: Jina's shape (`top_n`, `results`) or Voyage's (`top_k`, `data`). */
  rerank?: "jina" | "voyage";
  /** The upstream has no chat API (a rerank or embeddings service): a chat call is refused before anything is sent. */
  noChat?: boolean;
}

export const COMPAT_PROVIDERS: Record<string, CompatProvider> = {
  openai: { baseUrl: "https://api.openai.com/v1", streamUsage: true, responses: true },
  groq: { baseUrl: "https://api.groq.com/openai/v1", streamUsage: true },
  deepseek: { baseUrl: "https://api.deepseek.com/v1", streamUsage: true },
  mistral: { baseUrl: "https://api.mistral.ai/v1", streamUsage: true },
  together_ai: { baseUrl: "https://api.together.xyz/v1", streamUsage: true, priceProvider: "together" },
  fireworks_ai: { baseUrl: "https://api.fireworks.ai/inference/v1", streamUsage: true, priceProvider: "fireworks" },
  openrouter: { baseUrl: "https://openrouter.ai/api/v1", streamUsage: true },
  xai: { baseUrl: "https://api.x.ai/v1", streamUsage: true, priceProvider: "x-ai" },
  perplexity: { baseUrl: "https://api.perplexity.ai", streamUsage: true },
  cerebras: { baseUrl: "https://api.cerebras.ai/v1", streamUsage: true },
  deepinfra: { baseUrl: "https://api.deepinfra.com/v1/openai", streamUsage: true },
  nvidia_nim: { baseUrl: "https://integrate.api.nvidia.com/v1", streamUsage: true },
  sambanova: { baseUrl: "https://api.sambanova.ai/v1", streamUsage: true },
  huggingface: { baseUrl: "https://router.huggingface.co/v1", streamUsage: true },
  ollama: { baseUrl: "http://localhost:11434/v1", keyOptional: true, streamUsage: true },
  ollama_chat: { baseUrl: "http://localhost:11434/v1", keyOptional: true, streamUsage: true },
  hosted_vllm: { keyOptional: true, streamUsage: true, rerank: "jina" },
  vllm: { keyOptional: true, streamUsage: true, rerank: "jina" },
  lm_studio: { baseUrl: "http://localhost:1234/v1", keyOptional: true, streamUsage: true },
  openai_like: { keyOptional: true, streamUsage: true, rerank: "jina" },
  custom_openai: { keyOptional: true, streamUsage: true, rerank: "jina" },
  infinity: { keyOptional: true, rerank: "jina", noChat: true },
  jina_ai: { baseUrl: "https://api.jina.ai/v1", rerank: "jina", noChat: true },
  voyage: { baseUrl: "https://api.voyageai.com/v1", rerank: "voyage", noChat: true },
};

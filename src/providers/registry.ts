import { anthropicProvider } from "./anthropic";
import { azureProvider } from "./azure";
import { azureAiProvider } from "./azure-ai";
import { bedrockProvider } from "./bedrock";
import { cohereProvider } from "./cohere";
import { compatProviders } from "./openai-compat/adapter";
import { geminiProvider } from "./gemini";
import { vertexProvider } from "./vertex";
import { workersAiProviders } from "./workers-ai";
import type { ProviderEntry } from "./types";

/**
 * Provider prefix of `litellm_params.model` -> its adapter. Adding a provider is its own folder
 * plus one line here.
 */
const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  ...compatProviders(),
  anthropic: anthropicProvider,
  azure: azureProvider,
  azure_ai: azureAiProvider,
  bedrock: bedrockProvider,
  cohere: cohereProvider,
  gemini: geminiProvider,
  vertex_ai: vertexProvider,
  ...workersAiProviders, // workers_ai/ and cloudflare/ (after the compat table, whose rows it replaces)
};

export function providerFor(name: string): ProviderEntry | undefined {
  return Object.hasOwn(PROVIDERS, name) ? PROVIDERS[name] : undefined;
}

/** LiteLLM's guess of a provider from a bare model name (`gpt-4o` -> openai). */
export function inferProvider(model: string): string | undefined {
  if (/^(gpt-|o\d|chatgpt-|text-embedding-|dall-e|whisper|tts-|davinci|babbage|omni-moderation)/.test(model)) return "openai";
  if (model.startsWith("claude")) return "anthropic";
  if (model.startsWith("gemini")) return "gemini";
  if (model.startsWith("command")) return "cohere";
  return undefined;
}

import type { Deployment } from "../config/deployment";

/** LiteLLM's model modes (model_info.mode), as far as the gateway serves them. */
type ModelMode = "chat" | "completion" | "responses" | "embedding" | "rerank" | "moderation" | "image_generation" | "audio_transcription" | "audio_speech";

const KNOWN: readonly string[] = ["chat", "completion", "responses", "embedding", "rerank", "moderation", "image_generation", "audio_transcription", "audio_speech"];

/**
 * A deployment's mode: `model_info.mode` as written, else guessed from the model's name (the price
 * table Switchyard ships, @pydantic/genai-prices, records no mode): embed -> embedding, rerank ->
 * rerank, moderation -> moderation, whisper/transcribe -> audio_transcription, tts -> audio_speech,
 * dall-e/gpt-image/imagen -> image_generation, anything else chat (LiteLLM's default too).
 */
export function modelMode(dep: Pick<Deployment, "model" | "info">): string {
  const given = dep.info?.mode;
  if (typeof given === "string" && given) return given;
  const m = dep.model.toLowerCase();
  if (m.includes("rerank")) return "rerank";
  if (m.includes("embed")) return "embedding";
  if (m.includes("moderation")) return "moderation";
  if (m.includes("whisper") || m.includes("transcribe")) return "audio_transcription";
  if (/(^|[-/])tts/.test(m)) return "audio_speech";
  if (/dall-e|gpt-image|imagen/.test(m)) return "image_generation";
  return "chat";
}

/** Is `mode` one LiteLLM names (an unknown one is reported as `mode_error`)? */
export const isKnownMode = (mode: string): mode is ModelMode => KNOWN.includes(mode);

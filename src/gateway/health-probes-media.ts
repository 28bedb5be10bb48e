import type { Deployment } from "../config/deployment";
import { invalidRequest, upstreamUnreadable } from "../http/errors";
import type { PassthroughAdapter, TranslatedResponse } from "../providers/types";
import { fetchAnswer } from "./attempt";
import type { Attempt } from "./types";

/** Health probes of the media modes (LiteLLM's image_generation, audio_transcription and audio_speech checks), through the provider's OpenAI-style media API. */

const NO_USAGE: TranslatedResponse = { json: "", usage: null };

function mediaApi(a: Attempt, what: string): PassthroughAdapter {
  const adapter = a.provider.passthrough;
  if (!adapter) throw invalidRequest(`${a.dep.provider} has no ${what} API on this gateway.`);
  return adapter;
}

/** A WAV file of `seconds` of silence: 16 kHz, mono, 16-bit PCM (44-byte header, then zeros). */
export function silentWav(seconds: number): Uint8Array {
  const rate = 16_000;
  const dataBytes = Math.round(rate * seconds) * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return bytes;
}

/** OpenAI refuses audio shorter than 0.1 s: a quarter second stays clear of that and is 8 KB. */
const PROBE_WAV = silentWav(0.25);

/**
 * The cheapest image request the model accepts: DALL·E 2 at 256x256; DALL·E 3 at 1024x1024 standard;
 * gpt-image-* at 1024x1024, quality low; any other model at its provider's default size.
 */
export function imageProbeBody(dep: Deployment): Record<string, unknown> {
  const model = (dep.baseModel ?? dep.model).toLowerCase();
  const body: Record<string, unknown> = { model: dep.model, prompt: "dot", n: 1 };
  if (model.includes("dall-e-2")) body.size = "256x256";
  else if (model.includes("dall-e-3")) Object.assign(body, { size: "1024x1024", quality: "standard" });
  else if (model.includes("gpt-image")) Object.assign(body, { size: "1024x1024", quality: "low" });
  return body;
}

export function imageProbe(a: Attempt): Promise<TranslatedResponse> {
  const api = mediaApi(a, "image generation");
  const headers = api.headers(a.dep);
  headers.set("content-type", "application/json");
  return fetchAnswer(
    a,
    () => new Request(api.url(a.dep, "images/generations"), { method: "POST", headers, body: JSON.stringify(imageProbeBody(a.dep)) }),
    (s, t, h) => api.error(s, t, h, a.dep),
    (text) => {
      let body: { data?: unknown };
      try {
        body = JSON.parse(text);
      } catch {
        throw upstreamUnreadable("The upstream answered with a body that is not JSON.");
      }
      if (!Array.isArray(body.data)) throw upstreamUnreadable("The upstream's images answer has no 'data'.");
      return NO_USAGE;
    },
  );
}

export function transcriptionProbe(a: Attempt): Promise<TranslatedResponse> {
  const api = mediaApi(a, "audio");
  const build = () => {
    const form = new FormData();
    form.set("model", a.dep.model);
    form.set("file", new Blob([PROBE_WAV], { type: "audio/wav" }), "health_check.wav");
    return new Request(api.url(a.dep, "audio/transcriptions"), { method: "POST", headers: api.headers(a.dep), body: form });
  };
  return fetchAnswer(
    a,
    build,
    (s, t, h) => api.error(s, t, h, a.dep),
    () => NO_USAGE,
  );
}

export function speechProbe(a: Attempt): Promise<TranslatedResponse> {
  const api = mediaApi(a, "audio");
  const headers = api.headers(a.dep);
  headers.set("content-type", "application/json");
  const body = JSON.stringify({ model: a.dep.model, input: "hi", voice: "alloy" });
  return fetchAnswer(
    a,
    () => new Request(api.url(a.dep, "audio/speech"), { method: "POST", headers, body }),
    (s, t, h) => api.error(s, t, h, a.dep),
    () => NO_USAGE,
  );
}

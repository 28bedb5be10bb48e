import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve";
import { checkDeployment } from "../../src/gateway/health-check";
import { silentWav } from "../../src/gateway/health-probes-media";
import { forgetHealthSync } from "../../src/gateway/health-sync";
import { env, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const CONFIG = `
model_list:
  - model_name: hm-dalle2
    litellm_params: {model: openai/dall-e-2, api_base: https://hm-openai.test/v1, api_key: sk-hm-openai-secret-0123456789}
    model_info: {id: hm-dalle2}
  - model_name: hm-gpt-image
    litellm_params: {model: openai/gpt-image-1, api_base: https://hm-openai.test/v1, api_key: sk-hm-openai-secret-0123456789}
    model_info: {id: hm-gpt-image}
  - model_name: hm-azure-dalle3
    litellm_params: {model: azure/my-dalle3, api_base: https://hm-azure.test, api_key: azure-hm-secret-0123456789, api_version: "2024-02-01"}
    model_info: {id: hm-azure-dalle3, mode: image_generation, base_model: azure/dall-e-3}
  - model_name: hm-whisper
    litellm_params: {model: openai/whisper-1, api_base: https://hm-openai.test/v1, api_key: sk-hm-openai-secret-0123456789}
    model_info: {id: hm-whisper}
  - model_name: hm-tts
    litellm_params: {model: openai/tts-1, api_base: https://hm-openai.test/v1, api_key: sk-hm-openai-secret-0123456789}
    model_info: {id: hm-tts}
  - model_name: hm-tts-down
    litellm_params: {model: openai/tts-1-hd, api_base: https://hm-down.test/v1, api_key: sk-hm-openai-secret-0123456789}
    model_info: {id: hm-tts-down}
  - model_name: hm-imagen
    litellm_params: {model: gemini/imagen-3.0-generate-002, api_key: gemini-hm-secret-0123456789}
    model_info: {id: hm-imagen}
`;

const image = () => json({ created: 1, data: [{ b64_json: "AAAA" }] });

function upstreams() {
  fakeUpstream("https://hm-openai.test/v1/images/generations", image);
  fakeUpstream("https://hm-azure.test/openai/deployments/my-dalle3/images/generations", image);
  fakeUpstream("https://hm-openai.test/v1/audio/transcriptions", () => json({ text: "" }));
  fakeUpstream("https://hm-openai.test/v1/audio/speech", () => new Response(new Uint8Array(64), { headers: { "content-type": "audio/mpeg" } }));
  fakeUpstream("https://hm-down.test/v1/", (req) => json({ error: { message: `bad key ${req.headers.get("authorization")}`, type: "invalid_request_error" } }, 401));
}

const health = (query = "") => withEnv({ GATEWAY_CONFIG: CONFIG }, `/health${query}`);
const byId = (list: Array<Record<string, unknown>>) => Object.fromEntries(list.map((e) => [e.model_id, e]));
const bodyOf = (url: string) => received.find((r) => r.url.startsWith(url))!;

afterEach(() => {
  resetUpstreams();
  forgetHealthSync();
});

describe("GET /health probes image, transcription and speech deployments", () => {
  it("calls each with the smallest request of its mode and sorts them healthy / unhealthy", async () => {
    upstreams();
    const spendBefore = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs").first<{ n: number }>();
    const res = await health();
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    const healthy = byId(body.healthy_endpoints);
    const unhealthy = byId(body.unhealthy_endpoints);
    expect(Object.keys(healthy).sort()).toEqual(["hm-azure-dalle3", "hm-dalle2", "hm-gpt-image", "hm-tts", "hm-whisper"]);
    expect(Object.keys(unhealthy).sort()).toEqual(["hm-imagen", "hm-tts-down"]);
    expect(healthy["hm-dalle2"]).toMatchObject({ mode: "image_generation" });
    expect(healthy["hm-whisper"]).toMatchObject({ mode: "audio_transcription" });
    expect(healthy["hm-tts"]).toMatchObject({ mode: "audio_speech" });
    expect(unhealthy["hm-tts-down"]!.error).toMatch(/^401: bad key/);
    expect(unhealthy["hm-imagen"]!.error).toContain("gemini has no image generation API");
    const text = JSON.stringify(body);
    for (const secret of ["sk-hm-openai-secret-0123456789", "azure-hm-secret-0123456789", "gemini-hm-secret-0123456789"]) expect(text).not.toContain(secret);

    // Images: a one-word prompt, one image, the cheapest size (and quality) the model takes.
    const images = received.filter((r) => r.url === "https://hm-openai.test/v1/images/generations").map((r) => r.json<any>());
    expect(images.find((b) => b.model === "dall-e-2")).toEqual({ model: "dall-e-2", prompt: "dot", n: 1, size: "256x256" });
    expect(images.find((b) => b.model === "gpt-image-1")).toEqual({ model: "gpt-image-1", prompt: "dot", n: 1, size: "1024x1024", quality: "low" });
    const azure = bodyOf("https://hm-azure.test/openai/deployments/my-dalle3/images/generations");
    expect(azure.url).toContain("api-version=2024-02-01");
    expect(azure.headers["api-key"]).toBe("azure-hm-secret-0123456789");
    expect(azure.json()).toEqual({ model: "my-dalle3", prompt: "dot", n: 1, size: "1024x1024", quality: "standard" });

    // Transcription: a short silent WAV as multipart 'file', with the deployment's model.
    const stt = bodyOf("https://hm-openai.test/v1/audio/transcriptions");
    expect(stt.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(stt.headers.authorization).toBe("Bearer sk-hm-openai-secret-0123456789");
    expect(stt.body).toMatch(/name="model"\r\n\r\nwhisper-1\r\n/);
    expect(stt.body).toMatch(/name="file"; filename="health_check.wav"\r\nContent-Type: audio\/wav\r\n\r\nRIFF/);
    expect(stt.body).toContain("WAVEfmt ");

    // Speech: input "hi", LiteLLM's voice.
    expect(bodyOf("https://hm-openai.test/v1/audio/speech").json()).toEqual({ model: "tts-1", input: "hi", voice: "alloy" });
    expect(bodyOf("https://hm-down.test/v1/audio/speech").json()).toMatchObject({ model: "tts-1-hd" });
    // Nothing was sent for the provider without a media API.
    expect(received.some((r) => r.url.includes("googleapis"))).toBe(false);

    // A probe is never a spend row.
    const spendAfter = await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs").first<{ n: number }>();
    expect(spendAfter!.n).toBe(spendBefore!.n);
  });

  it("an images answer without 'data' is unhealthy; ?model= probes only that group", async () => {
    upstreams();
    fakeUpstream("https://hm-openai.test/v1/images/generations", () => json({ created: 1 }));
    const res = await health("?model=hm-dalle2");
    expect(res.status).toBe(503);
    const body = await res.json<any>();
    expect(body.unhealthy_endpoints[0]).toMatchObject({ model_id: "hm-dalle2", mode: "image_generation" });
    expect(body.unhealthy_endpoints[0].error).toContain("no 'data'");
    expect(received.map((r) => r.url)).toEqual(["https://hm-openai.test/v1/images/generations"]);
  });
});

describe("a provider without its mode's API", () => {
  it("is listed unhealthy but not probed, so background checks never cool it down", async () => {
    const config = resolveConfig(CONFIG, { MASTER_KEY: "sk-unit-master-key-0123456789abcdef" });
    const imagen = config.deployments.find((d) => d.id === "hm-imagen")!;
    const result = await checkDeployment(config, imagen);
    expect(result).toMatchObject({ id: "hm-imagen", healthy: false, probed: false });
    expect(received).toHaveLength(0);
    upstreams();
    const speech = await checkDeployment(config, config.deployments.find((d) => d.id === "hm-tts-down")!);
    expect(speech).toMatchObject({ healthy: false, probed: true });
  });
});

describe("silentWav", () => {
  it("is a valid 16 kHz mono 16-bit PCM WAV of the asked length", () => {
    const wav = silentWav(0.25);
    const view = new DataView(wav.buffer);
    const ascii = (at: number, n: number) => String.fromCharCode(...wav.slice(at, at + n));
    expect(wav.length).toBe(44 + 8000);
    expect([ascii(0, 4), ascii(8, 4), ascii(12, 4), ascii(36, 4)]).toEqual(["RIFF", "WAVE", "fmt ", "data"]);
    expect(view.getUint32(4, true)).toBe(wav.length - 8);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(16_000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(8000);
    expect(wav.slice(44).every((b) => b === 0)).toBe(true);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, openai, post } from "../helpers/gateway";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

describe("audio", () => {
  it("transcribes through the official client: the form passes on with the deployment's model, priced by the second", async () => {
    let form: FormData | undefined;
    fakeUpstream("https://audio.openai.test/v1/audio/transcriptions", async (req) => {
      form = await new Request(req.url, { method: "POST", headers: { "content-type": received.at(-1)!.headers["content-type"]! }, body: received.at(-1)!.body }).formData();
      return new Response(JSON.stringify({ text: "hello world", usage: { type: "duration", seconds: 12 } }), { headers: { "content-type": "application/json" } });
    });
    const k = await newKey();
    const { data, response } = await openai(k.key)
      .audio.transcriptions.create({ file: new File([new Uint8Array([1, 2, 3, 4])], "clip.wav", { type: "audio/wav" }), model: "whisper", language: "en" })
      .withResponse();
    expect(data.text).toBe("hello world");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeCloseTo(12 * 0.0001, 12);
    expect(received[0]!.url).toBe("https://audio.openai.test/v1/audio/transcriptions");
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(form!.get("model")).toBe("whisper-1");
    expect(form!.get("language")).toBe("en");
    expect((form!.get("file") as File).size).toBe(4);
    const row = await eventually(async () => ((await (await gw(`/spend/logs?api_key=${k.token}`)).json()) as Array<{ spend: number; metadata: { route: string } }>)[0]);
    expect(row.metadata.route).toBe("audio/transcriptions");
    expect(row.spend).toBeCloseTo(0.0012, 12);
  });

  it("passes a text transcription on with its content type", async () => {
    fakeUpstream("https://audio.openai.test/v1/audio/transcriptions", () => new Response("1\n00:00:00,000 --> 00:00:01,000\nhi\n", { headers: { "content-type": "text/plain; charset=utf-8" } }));
    const form = new FormData();
    form.set("model", "whisper");
    form.set("response_format", "srt");
    form.set("file", new File([new Uint8Array([1])], "a.wav"));
    const res = await gw("/v1/audio/transcriptions", { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain("-->");
  });

  it("speaks: the audio streams back, priced per input character", async () => {
    fakeUpstream("https://audio.openai.test/v1/audio/speech", () => new Response(new Uint8Array([0xff, 0xf3, 1, 2]), { headers: { "content-type": "audio/mpeg" } }));
    const res = await openai().audio.speech.create({ model: "tts", input: "Hello there", voice: "alloy" });
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xf3, 1, 2]));
    expect(received[0]!.json()).toMatchObject({ model: "tts-1", input: "Hello there", voice: "alloy" });
  });

  it("refuses bad audio requests clearly", async () => {
    const noFile = new FormData();
    noFile.set("model", "whisper");
    const a = await gw("/v1/audio/transcriptions", { method: "POST", body: noFile });
    expect(a.status).toBe(400);
    expect((await a.json()).error.param).toBe("file");
    const notForm = await post("/v1/audio/transcriptions", { model: "whisper" });
    expect(notForm.status).toBe(400);
    const badVoice = await post("/v1/audio/speech", { model: "tts", input: "x" });
    expect((await badVoice.json()).error.param).toBe("voice");
    const unknown = await post("/v1/audio/speech", { model: "nope", input: "x", voice: "alloy" });
    expect(unknown.status).toBe(404);
    expect(received).toHaveLength(0);
  });
});

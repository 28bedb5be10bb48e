import { describe, expect, it } from "vitest";
import { FrameDecoder, FrameError } from "../../src/providers/bedrock/eventstream";
import { concat, crc32, encodeFrame, eventFrame, exceptionFrame, fixtures, fromBase64, splitEvery, splitRandom, streamBytes } from "./bedrock-helpers";

const decodeAll = (parts: Uint8Array[]) => {
  const d = new FrameDecoder();
  const frames = parts.flatMap((p) => d.push(p));
  return { frames, pending: d.pending };
};

describe("bedrock eventstream framing", () => {
  it("the test encoder's CRC-32 is the standard one", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("the test encoder reproduces the recorded exception frame byte for byte (so its frames are real ones)", () => {
    const recorded = fromBase64(fixtures.recordedException);
    const payload = recorded.subarray(12 + new DataView(recorded.buffer).getUint32(4), recorded.length - 4);
    const ours = exceptionFrame("modelStreamErrorException", JSON.parse(new TextDecoder().decode(payload)));
    expect(Array.from(ours)).toEqual(Array.from(recorded));
  });

  it("decodes the recorded exception frame (AWS's bytes, CRCs intact)", () => {
    const { frames, pending } = decodeAll([fromBase64(fixtures.recordedException)]);
    expect(pending).toBe(0);
    expect(frames).toEqual([
      {
        messageType: "exception",
        eventType: undefined,
        exceptionType: "modelStreamErrorException",
        errorCode: undefined,
        errorMessage: undefined,
        payload: '{"message":"Model Stream Error","originalStatusCode":500,"originalMessage":"The model stream failed."}',
      },
    ]);
  });

  for (const [name, cut] of [
    ["whole", (b: Uint8Array) => [b]],
    ["1 byte", (b: Uint8Array) => splitEvery(b, 1)],
    ["7 bytes", (b: Uint8Array) => splitEvery(b, 7)],
    ["random (seed 42)", (b: Uint8Array) => splitRandom(b, 42)],
    ["random (seed 7, up to 300)", (b: Uint8Array) => splitRandom(b, 7, 300)],
  ] as const) {
    it(`reassembles frames cut ${name}, in order, with nothing left over`, () => {
      const bytes = streamBytes(fixtures.recordedTextStream);
      const { frames, pending } = decodeAll(cut(bytes));
      expect(pending).toBe(0);
      expect(frames.map((f) => f.eventType)).toEqual(["messageStart", ...Array(12).fill("contentBlockDelta"), "contentBlockStop", "messageStop", "metadata"]);
      expect(frames.every((f) => f.messageType === "event")).toBe(true);
      expect(JSON.parse(frames[4]!.payload)).toMatchObject({ contentBlockIndex: 0, delta: { text: 'strawberry":\n\ns-t-' } });
    });
  }

  it("keeps a partial frame pending until its end arrives", () => {
    const frame = eventFrame("messageStart", { role: "assistant" });
    const d = new FrameDecoder();
    expect(d.push(frame.subarray(0, 5))).toEqual([]);
    expect(d.pending).toBe(5);
    expect(d.push(frame.subarray(5, frame.length - 1))).toEqual([]);
    expect(d.push(frame.subarray(frame.length - 1))).toHaveLength(1);
    expect(d.pending).toBe(0);
  });

  it("refuses a frame whose message CRC is wrong", () => {
    const frame = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "hi" } });
    frame[frame.length - 10]! ^= 0x01; // a payload byte flipped in transit
    expect(() => new FrameDecoder().push(frame)).toThrow(FrameError);
    expect(() => new FrameDecoder().push(frame)).toThrow(/corrupt/);
  });

  it("refuses a frame whose prelude CRC is wrong", () => {
    const frame = eventFrame("messageStart", { role: "assistant" });
    frame[9]! ^= 0xff;
    expect(() => new FrameDecoder().push(frame)).toThrow(FrameError);
  });

  it("refuses an impossible prelude at once instead of waiting for 4 GiB", () => {
    const junk = new TextEncoder().encode('{"message":"not an eventstream at all"}');
    expect(() => new FrameDecoder().push(junk)).toThrow(/impossible prelude/);
    const tiny = encodeFrame([], "");
    new DataView(tiny.buffer).setUint32(0, 8);
    expect(() => new FrameDecoder().push(tiny)).toThrow(FrameError);
  });

  it("decodes frames that arrive together with part of the next one", () => {
    const a = eventFrame("messageStart", { role: "assistant" });
    const b = eventFrame("messageStop", { stopReason: "end_turn" });
    const both = concat([a, b]);
    const d = new FrameDecoder();
    expect(d.push(both.subarray(0, a.length + 3)).map((f) => f.eventType)).toEqual(["messageStart"]);
    expect(d.push(both.subarray(a.length + 3)).map((f) => f.eventType)).toEqual(["messageStop"]);
  });
});

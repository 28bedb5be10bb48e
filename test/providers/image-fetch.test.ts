import { afterEach, describe, expect, it } from "vitest";
import { imageBytes, parseDataUrl } from "../../src/providers/shared/images";
import { fakeUpstream, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

const refusal = async (url: string) => {
  const e = await imageBytes(url, "messages[0].content[1]").catch((x) => x);
  expect(e.status).toBe(400);
  expect(e.param).toBe("messages[0].content[1]");
  return e.message as string;
};

describe("fetching images for providers that need their bytes", () => {
  it("decodes data: URLs without a fetch", () => {
    expect(parseDataUrl("data:image/png;base64,iVBOR w0=")).toEqual({ mediaType: "image/png", data: "iVBORw0=" });
  });

  it("fetches an https image into base64 with its media type", async () => {
    fakeUpstream("https://img.test/", () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/webp" } }));
    expect(await imageBytes("https://img.test/a.webp", "p")).toEqual({ mediaType: "image/webp", data: btoa("\x01\x02\x03") });
  });

  it("refuses each thing it may not fetch with a clear 400", async () => {
    expect(await refusal("ftp://img.test/a.png")).toContain("https");
    expect(await refusal("https://localhost/a.png")).toContain("private or local");
    expect(await refusal("https://169.254.169.254/latest")).toContain("private or local");
    expect(await refusal("https://[::1]/a.png")).toContain("private or local");
    expect(await refusal("https://2130706433/a.png")).toContain("private or local");
    expect(await refusal("not a url")).toContain("not a valid URL");
    fakeUpstream("https://big.test/", () => new Response("x", { headers: { "content-type": "image/png", "content-length": String(30 * 1024 * 1024) } }));
    expect(await refusal("https://big.test/a.png")).toContain("larger than");
    fakeUpstream("https://html.test/", () => new Response("<html>", { headers: { "content-type": "text/html" } }));
    expect(await refusal("https://html.test/a.png")).toContain("not an image");
    fakeUpstream("https://gone.test/", () => new Response("no", { status: 404 }));
    expect(await refusal("https://gone.test/a.png")).toContain("HTTP 404");
  });
});

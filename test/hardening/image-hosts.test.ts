import { afterEach, describe, expect, it } from "vitest";
import { ImageBudget, imageBytes } from "../../src/providers/shared/images";
import { isForbiddenHost } from "../../src/providers/shared/hosts";
import { fakeUpstream, received, resetUpstreams } from "../helpers/upstream";

afterEach(resetUpstreams);

const refusal = async (url: string, budget?: ImageBudget) => {
  const e = await imageBytes(url, "messages[0].content[1]", budget).catch((x) => x);
  expect(e.status, url).toBe(400);
  expect(e.param).toBe("messages[0].content[1]");
  return e.message as string;
};

describe("the image fetcher refuses private and special hosts in every spelling", () => {
  const forbidden = [
    "https://localhost./a.png",
    "https://LOCALHOST/a.png",
    "https://localhost../a.png",
    "https://foo.localhost./a.png",
    "https://metadata.google.internal./a.png",
    "https://127.1/a.png",
    "https://0x7f000001/a.png",
    "https://0x7f.0.0.1/a.png",
    "https://0177.0.0.1/a.png",
    "https://017700000001/a.png",
    "https://2130706433/a.png",
    "https://0/a.png",
    "https://169.254.169.254./latest",
    "https://100.64.0.1/a.png",
    "https://192.0.0.8/a.png",
    "https://198.18.0.1/a.png",
    "https://[::ffff:127.0.0.1]/a.png",
    "https://[::ffff:7f00:1]/a.png",
    "https://[::ffff:10.0.0.1]/a.png",
    "https://[::127.0.0.1]/a.png",
    "https://[64:ff9b::127.0.0.1]/a.png",
    "https://[64:ff9b::a9fe:a9fe]/a.png",
    "https://[64:ff9b:1::a00:1]/a.png",
    "https://[2002:7f00:1::]/a.png",
    "https://[::1]/a.png",
    "https://[0:0:0:0:0:0:0:1]/a.png",
    "https://[::]/a.png",
    "https://[fe80::1]/a.png",
    "https://[fe80::1%25eth0]/a.png",
    "https://[fc00::1]/a.png",
    "https://[fd12:3456::1]/a.png",
    "https://[ff02::1]/a.png",
  ];
  for (const url of forbidden) {
    it(`refuses ${url} without fetching it`, async () => {
      fakeUpstream("https://", () => new Response(new Uint8Array([1]), { headers: { "content-type": "image/png" } }));
      const message = await refusal(url).catch((e) => String(e));
      expect(message).toMatch(/private or local|not a valid URL/);
      expect(received).toHaveLength(0);
    });
  }

  it("public hosts and addresses still pass", () => {
    for (const h of ["images.example.com", "8.8.8.8", "[2606:4700::1111]", "1.1.1.1", "example.com."]) expect(isForbiddenHost(h), h).toBe(false);
  });
});

describe("images per request are capped in number and total bytes", () => {
  it("past the count a further fetch is a 400 naming its part, and is never made", async () => {
    fakeUpstream("https://img.test/", () => new Response(new Uint8Array([1, 2]), { headers: { "content-type": "image/png" } }));
    const budget = new ImageBudget({ maxImages: 2, maxTotalBytes: 1000, maxImageBytes: 1000 });
    await imageBytes("https://img.test/1.png", "a", budget);
    await imageBytes("https://img.test/2.png", "b", budget);
    const message = await refusal("https://img.test/3.png", budget);
    expect(message).toContain("2 images");
    expect(received).toHaveLength(2);
  });

  it("past the total bytes (images fetched in parallel) the request is a 400", async () => {
    fakeUpstream("https://img.test/", () => new Response(new Uint8Array(600), { headers: { "content-type": "image/png" } }));
    const budget = new ImageBudget({ maxImages: 10, maxTotalBytes: 1000, maxImageBytes: 1000 });
    const results = await Promise.allSettled([imageBytes("https://img.test/1.png", "a", budget), imageBytes("https://img.test/2.png", "b", budget)]);
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason.status).toBe(400);
    expect(rejected[0]!.reason.message).toContain("1000 bytes");
  });

  it("one image over its own limit is refused", async () => {
    fakeUpstream("https://img.test/", () => new Response(new Uint8Array(600), { headers: { "content-type": "image/png" } }));
    const budget = new ImageBudget({ maxImages: 10, maxTotalBytes: 10_000, maxImageBytes: 500 });
    expect(await refusal("https://img.test/1.png", budget)).toContain("larger than 500 bytes");
  });

  it("through a provider: more images than the default cap in one gemini request is a 400", async () => {
    const { body, user } = await import("../providers/gemini-helpers");
    fakeUpstream("https://img.test/", () => new Response(new Uint8Array([1]), { headers: { "content-type": "image/png" } }));
    const parts = Array.from({ length: 40 }, (_, i) => ({ type: "image_url", image_url: { url: `https://img.test/${i}.png` } }));
    const e = await body({ messages: [user(parts)] }).catch((x) => x);
    expect(e.status).toBe(400);
    expect(received.length).toBeLessThanOrEqual(16);
  });
});

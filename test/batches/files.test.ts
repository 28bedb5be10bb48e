import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { gw, newKey, openai, post } from "../helpers/gateway";
import { chatLine, jsonl, multipart, trickle } from "./helpers";

const upload = (key: string, parts: Parameters<typeof multipart>[0]) => {
  const m = multipart(parts);
  return gw("/v1/files", { method: "POST", key, body: m.body, headers: { "content-type": m.contentType } });
};

const error = async (res: Response) => ((await res.json()) as { error: { message: string; code: string; param: string | null } }).error;

describe("files (/v1/files) on R2", () => {
  it("upload, retrieve, list, content and delete through the official client; the file is the uploading key's", async () => {
    const owner = await newKey();
    const client = openai(owner.key);
    const text = jsonl([chatLine("a"), chatLine("b")]);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(text), "input.jsonl"), purpose: "batch" });
    expect(file).toMatchObject({ object: "file", purpose: "batch", filename: "input.jsonl", bytes: text.length, status: "processed" });
    expect(file.id).toMatch(/^file-/);
    expect(await client.files.retrieve(file.id)).toMatchObject({ id: file.id, bytes: text.length });
    expect(await (await client.files.content(file.id)).text()).toBe(text);
    const listed = await client.files.list();
    expect(listed.data.map((f) => f.id)).toEqual([file.id]);

    // Another key sees nothing of it; the master key reaches it.
    const stranger = openai((await newKey()).key);
    await expect(stranger.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.files.content(file.id)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.files.delete(file.id)).rejects.toMatchObject({ status: 404 });
    expect((await stranger.files.list()).data).toEqual([]);
    expect((await openai().files.retrieve(file.id)).id).toBe(file.id);

    // Regenerating the key keeps its files.
    const regenerated = (await (await post("/key/regenerate", { key: owner.key })).json()) as { key: string };
    const again = openai(regenerated.key);
    expect((await again.files.retrieve(file.id)).id).toBe(file.id);
    await expect(client.files.retrieve(file.id)).rejects.toMatchObject({ status: 401 });

    expect(await again.files.delete(file.id)).toEqual({ id: file.id, object: "file", deleted: true });
    await expect(again.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
    await expect(again.files.content(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it("a team admin reaches the files of the team's keys; a plain member does not", async () => {
    await post("/user/new", { user_id: "files-lead", user_role: "internal_user" });
    await post("/user/new", { user_id: "files-dev", user_role: "internal_user" });
    await post("/team/new", {
      team_id: "t-files",
      members_with_roles: [
        { role: "admin", user_id: "files-lead" },
        { role: "user", user_id: "files-dev" },
      ],
    });
    const dev = await newKey({ team_id: "t-files", user_id: "files-dev" });
    const devTwo = await newKey({ team_id: "t-files", user_id: "files-dev" });
    const lead = await newKey({ user_id: "files-lead" });
    const f = await openai(dev.key).files.create({ file: await toFile(new TextEncoder().encode("notes"), "notes.txt"), purpose: "user_data" });
    expect((await openai(lead.key).files.retrieve(f.id)).id).toBe(f.id);
    expect((await openai(lead.key).files.list()).data.map((x) => x.id)).toContain(f.id);
    await expect(openai(devTwo.key).files.retrieve(f.id)).rejects.toMatchObject({ status: 404 });
    // A proxy admin's key reaches every file.
    await post("/user/new", { user_id: "files-admin", user_role: "proxy_admin" });
    const admin = await newKey({ user_id: "files-admin" });
    expect((await openai(admin.key).files.retrieve(f.id)).id).toBe(f.id);
  });

  it("purpose may come before or after the file, and the body may arrive in pieces", async () => {
    const key = (await newKey()).key;
    const text = jsonl([chatLine("x")]);
    const m = multipart([
      { name: "file", value: text, filename: "late-purpose.jsonl" },
      { name: "purpose", value: "batch" },
    ]);
    const res = await gw("/v1/files", { method: "POST", key, body: trickle(m.body, 7), headers: { "content-type": m.contentType }, duplex: "half" } as RequestInit);
    expect(res.status).toBe(200);
    const file = (await res.json()) as { id: string; bytes: number };
    expect(file.bytes).toBe(text.length);
    expect(await (await gw(`/v1/files/${file.id}/content`, { key })).text()).toBe(text);
    // A bad batch file is refused whichever comes first.
    const bad = jsonl([chatLine("x"), "{not json"]);
    for (const parts of [
      [
        { name: "purpose", value: "batch" },
        { name: "file", value: bad, filename: "b.jsonl" },
      ],
      [
        { name: "file", value: bad, filename: "b.jsonl" },
        { name: "purpose", value: "batch" },
      ],
    ]) {
      const r = await upload(key, parts);
      expect(r.status).toBe(400);
      expect((await error(r)).message).toBe("Line 2 of the batch file: not valid JSON.");
    }
    // Not a batch file: not checked as one.
    expect(
      (
        await upload(key, [
          { name: "file", value: bad, filename: "notes.txt" },
          { name: "purpose", value: "user_data" },
        ])
      ).status,
    ).toBe(200);
    expect((await openai(key).files.list()).data).toHaveLength(2);
  });

  it("batch input files are checked line by line; the error names the line", async () => {
    const key = await newKey({ models: ["gpt-4o-mini"] });
    const cases: Array<[unknown[], string]> = [
      [[chatLine("a"), chatLine("a")], "Line 2 of the batch file: the custom_id 'a' is used on an earlier line; each line needs its own."],
      [[chatLine("a"), { ...chatLine("b"), method: "GET" }], "Line 2 of the batch file: 'method' must be \"POST\"."],
      [[{ ...chatLine("a"), url: "/v1/images/generations" }], "Line 1 of the batch file: 'url' must be one of /v1/chat/completions, /v1/embeddings, /v1/responses."],
      [
        [chatLine("a"), { custom_id: "b", method: "POST", url: "/v1/embeddings", body: { model: "gpt-4o-mini", input: "x" } }],
        "Line 2 of the batch file: every line must call the same url; earlier lines call /v1/chat/completions.",
      ],
      [[chatLine("a"), chatLine("b", "gpt-4o")], "Line 2 of the batch file: this key is not allowed to call the model 'gpt-4o'."],
      [[chatLine("a", "no-such-model")], "Line 1 of the batch file: the model 'no-such-model' does not exist or is not configured on this gateway."],
      [[chatLine("a", "gpt-4o-mini", { stream: true })], "Line 1 of the batch file: body: A batch request cannot stream: remove 'stream'."],
      [[chatLine("a", "gpt-4o-mini", { messages: [] })], "Line 1 of the batch file: body: Invalid value for 'messages': messages must have at least one message"],
      [[{ custom_id: "", method: "POST", url: "/v1/chat/completions", body: {} }], "Line 1 of the batch file: 'custom_id' must be a non-empty string."],
      [["", "[1,2]"], "Line 2 of the batch file: each line must be a JSON object with custom_id, method, url and body."],
      [[""], "Line 1 of the batch file: the file has no request lines."],
      [[chatLine("a"), chatLine("b", "gpt-4o-mini", { user: "u".repeat(1_000_000) })], "Line 2 of the batch file: the line is longer than 1000000 characters, the most a batch line may have."],
    ];
    for (const [lines, message] of cases) {
      const res = await upload(key.key, [
        { name: "purpose", value: "batch" },
        { name: "file", value: jsonl(lines), filename: "in.jsonl" },
      ]);
      expect(res.status, message).toBe(400);
      expect(await error(res)).toMatchObject({ message, param: "file", code: "invalid_batch_file" });
    }
    // Nothing was kept of the refused uploads.
    expect((await openai(key.key).files.list()).data).toEqual([]);
  });

  it("bad uploads get clear 400s; /v1/files has its own size limit (past max_request_size_mb, up to max_file_size_mb)", async () => {
    const key = (await newKey()).key;
    expect(await error(await gw("/v1/files", { method: "POST", key, body: JSON.stringify({ purpose: "batch" }) }))).toMatchObject({
      message: "POST /v1/files takes a multipart/form-data body with the fields 'file' and 'purpose'.",
    });
    expect((await error(await upload(key, [{ name: "file", value: "x", filename: "x" }]))).param).toBe("purpose");
    expect((await error(await upload(key, [{ name: "purpose", value: "batch" }]))).param).toBe("file");
    expect(
      (
        await error(
          await upload(key, [
            { name: "purpose", value: "homework" },
            { name: "file", value: "x", filename: "x" },
          ]),
        )
      ).param,
    ).toBe("purpose");
    expect(
      (
        await error(
          await upload(key, [
            { name: "purpose", value: "user_data" },
            { name: "color", value: "red" },
          ]),
        )
      ).message,
    ).toContain("Unknown field 'color'");
    const expiry = await upload(key, [
      { name: "purpose", value: "user_data" },
      { name: "expires_after[anchor]", value: "created_at" },
      { name: "expires_after[seconds]", value: "60" },
      { name: "file", value: "x", filename: "x" },
    ]);
    expect((await error(expiry)).param).toBe("expires_after.seconds");
    const broken = await gw("/v1/files", {
      method: "POST",
      key,
      body: '--abc\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch',
      headers: { "content-type": "multipart/form-data; boundary=abc" },
    });
    expect(broken.status).toBe(400);
    expect((await error(broken)).message).toContain("The multipart body is malformed");

    // 5.5 MiB (over the 1 MB request limit, and past one R2 part): stored in parts, read back whole.
    const big = new Uint8Array(5.5 * 1024 * 1024).map((_, i) => 97 + (i % 26));
    const ok = await upload(key, [
      { name: "purpose", value: "user_data" },
      { name: "file", value: big, filename: "big.bin" },
    ]);
    expect(ok.status).toBe(200);
    const stored = (await ok.json()) as { id: string; bytes: number };
    expect(stored.bytes).toBe(big.length);
    const back = new Uint8Array(await (await gw(`/v1/files/${stored.id}/content`, { key })).arrayBuffer());
    expect(back.length).toBe(big.length);
    expect(back.every((b, i) => b === big[i])).toBe(true);

    // Over max_file_size_mb (6): 413, nothing kept.
    const tooBig = new Uint8Array(6 * 1024 * 1024 + 10);
    const m = multipart([
      { name: "purpose", value: "user_data" },
      { name: "file", value: tooBig, filename: "huge.bin" },
    ]);
    const refused = await gw("/v1/files", { method: "POST", key, body: trickle(m.body, 512 * 1024), headers: { "content-type": m.contentType }, duplex: "half" } as RequestInit);
    expect(refused.status).toBe(413);
    expect((await error(refused)).code).toBe("request_too_large");
    expect((await openai(key).files.list()).data.map((f) => f.id)).toEqual([stored.id]);
  });

  it("lists page with limit, after and order, and filter by purpose", async () => {
    const key = (await newKey()).key;
    const ids: string[] = [];
    for (const [i, purpose] of ["user_data", "user_data", "vision"].entries()) {
      const r = await upload(key, [
        { name: "purpose", value: purpose },
        { name: "file", value: `f${i}`, filename: `f${i}.txt` },
      ]);
      ids.push(((await r.json()) as { id: string }).id);
      await new Promise((res) => setTimeout(res, 5));
    }
    const page = async (q: string) => (await (await gw(`/v1/files?${q}`, { key })).json()) as { data: Array<{ id: string }>; has_more: boolean; first_id: string; last_id: string };
    const first = await page("limit=2");
    expect(first.data.map((f) => f.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await page(`limit=2&after=${first.last_id}`);
    expect(second.data.map((f) => f.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);
    expect((await page("order=asc&limit=2")).data.map((f) => f.id)).toEqual([ids[0], ids[1]]);
    expect((await page(`order=asc&after=${ids[0]}`)).data.map((f) => f.id)).toEqual([ids[1], ids[2]]);
    expect((await page("purpose=vision")).data.map((f) => f.id)).toEqual([ids[2]]);
    expect((await gw("/v1/files?limit=0", { key })).status).toBe(400);
    expect((await gw("/v1/files?order=sideways", { key })).status).toBe(400);
    expect((await gw("/v1/files?purpose=homework", { key })).status).toBe(400);
  });

  it("an unknown file id is a 404 in OpenAI's shape", async () => {
    const res = await gw("/v1/files/file-nope");
    expect(res.status).toBe(404);
    expect(await error(res)).toMatchObject({ code: "not_found", param: "id" });
  });
});

import { fakeUpstream, json } from "../helpers/upstream";

/**
 * A fake of OpenAI's (or Azure's) Files and Batches API at the fetch boundary. Each retrieve moves
 * a batch one step (validating -> in_progress -> completed); `fail` makes the next one end `failed`;
 * a cancelled batch ends `cancelled` with the first line answered. Lines whose custom_id starts
 * with `bad-` land in the error file. Answers carry usage 10 + 5 tokens.
 */
export interface FakeBatch {
  id: string;
  status: string;
  input_file_id: string;
  endpoint: string;
  metadata: Record<string, string> | null;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts: { total: number; completed: number; failed: number };
  errors: { object: "list"; data: Array<{ code: string; message: string; line: number | null; param: string | null }> } | null;
}

export class FakeBatchApi {
  readonly files = new Map<string, string>();
  readonly batches = new Map<string, FakeBatch>();
  /** The input files' parts as uploaded: purpose and filename. */
  readonly uploads: Array<{ purpose: string | undefined; filename: string | undefined; content: string }> = [];
  /** The next retrieve of a validating batch ends it `failed` (the input file refused). */
  fail = false;
  /** Answer the file upload with this error instead. */
  refuseUpload: { status: number; body: unknown } | null = null;
  /** Answer batch creation with this error instead. */
  refuseCreate: { status: number; body: unknown } | null = null;
  private n = 0;

  /** Answers under `root` (OpenAI: `https://host/v1`; Azure: `https://host/openai`); the query (api-version) is ignored here and checked by the tests. */
  constructor(readonly root: string) {
    fakeUpstream(root, (req, body) => this.answer(req, body));
  }

  private id(prefix: string) {
    this.n++;
    return `${prefix}${this.n}`;
  }

  private answer(req: Request, body: string): Response {
    const path = new URL(req.url).pathname.slice(new URL(this.root).pathname.length);
    if (req.method === "POST" && path === "/files") return this.refuseUpload ? json(this.refuseUpload.body, this.refuseUpload.status) : this.upload(req, body);
    if (req.method === "POST" && path === "/batches") {
      if (this.refuseCreate) return json(this.refuseCreate.body, this.refuseCreate.status);
      const b = JSON.parse(body) as { input_file_id: string; endpoint: string; metadata?: Record<string, string> };
      const content = this.files.get(b.input_file_id);
      if (content === undefined) return json({ error: { message: `No such File object: ${b.input_file_id}`, type: "invalid_request_error", param: "input_file_id", code: null } }, 404);
      const batch: FakeBatch = {
        id: this.id("batch_up_"),
        status: "validating",
        input_file_id: b.input_file_id,
        endpoint: b.endpoint,
        metadata: b.metadata ?? null,
        output_file_id: null,
        error_file_id: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
        errors: null,
      };
      this.batches.set(batch.id, batch);
      return json({ object: "batch", ...batch });
    }
    const m = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (m) {
      const batch = this.batches.get(m[1]!);
      if (!batch) return json({ error: { message: "No such batch", type: "invalid_request_error" } }, 404);
      if (req.method === "POST" && m[2]) {
        if (batch.status !== "validating" && batch.status !== "in_progress")
          return json({ error: { message: `Cannot cancel a batch with status '${batch.status}'.`, type: "invalid_request_error" } }, 409);
        batch.status = "cancelling";
      } else if (req.method === "GET") this.step(batch);
      return json({ object: "batch", ...batch });
    }
    const f = /^\/files\/([^/]+)\/content$/.exec(path);
    if (f && req.method === "GET") {
      const content = this.files.get(f[1]!);
      return content === undefined ? json({ error: { message: "No such file" } }, 404) : new Response(content, { headers: { "content-type": "application/octet-stream" } });
    }
    return json({ error: { message: `fake: no route ${req.method} ${path}` } }, 404);
  }

  private upload(req: Request, body: string): Response {
    const boundary = /boundary=(.+)$/.exec(req.headers.get("content-type") ?? "")?.[1];
    if (!boundary) return json({ error: { message: "not multipart" } }, 400);
    const parts = body.split(`--${boundary}`).slice(1, -1);
    const fields: Record<string, { filename?: string; value: string }> = {};
    for (const p of parts) {
      const [head, ...rest] = p.replace(/^\r\n/, "").split("\r\n\r\n");
      const name = /name="([^"]+)"/.exec(head ?? "")?.[1];
      const filename = /filename="([^"]+)"/.exec(head ?? "")?.[1];
      if (name) fields[name] = { filename, value: rest.join("\r\n\r\n").replace(/\r\n$/, "") };
    }
    const file = fields.file;
    if (!file) return json({ error: { message: "no file part" } }, 400);
    this.uploads.push({ purpose: fields.purpose?.value, filename: file.filename, content: file.value });
    const id = this.id("file-up-");
    this.files.set(id, file.value);
    return json({ id, object: "file", bytes: file.value.length, created_at: 1, filename: file.filename, purpose: fields.purpose?.value });
  }

  private lines(batch: FakeBatch): Array<{ custom_id: string; body: { model: string } }> {
    return (this.files.get(batch.input_file_id) ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  private step(batch: FakeBatch): void {
    const lines = this.lines(batch);
    batch.request_counts.total = lines.length;
    if (batch.status === "validating") {
      if (this.fail) {
        batch.status = "failed";
        batch.errors = { object: "list", data: [{ code: "invalid_json_line", message: "This line is not parseable as valid JSON.", line: 2, param: null }] };
        return;
      }
      batch.status = "in_progress";
      return;
    }
    if (batch.status === "in_progress") this.end(batch, "completed", lines);
    else if (batch.status === "cancelling") this.end(batch, "cancelled", lines.slice(0, 1));
  }

  private end(batch: FakeBatch, status: string, ran: Array<{ custom_id: string; body: { model: string } }>): void {
    const ok = ran.filter((l) => !l.custom_id.startsWith("bad-"));
    const bad = ran.filter((l) => l.custom_id.startsWith("bad-"));
    const answer = (l: { custom_id: string; body: { model: string } }, i: number) => ({
      id: `batch_req_${i}`,
      custom_id: l.custom_id,
      response: {
        status_code: 200,
        request_id: `req_${i}`,
        body: {
          id: `chatcmpl-up-${l.custom_id}`,
          object: "chat.completion",
          created: 1,
          model: l.body.model,
          choices: [{ index: 0, message: { role: "assistant", content: `answer ${l.custom_id}` }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        },
      },
      error: null,
    });
    const failed = (l: { custom_id: string }, i: number) => ({
      id: `batch_req_e${i}`,
      custom_id: l.custom_id,
      response: { status_code: 400, request_id: `req_e${i}`, body: { error: { message: `refused ${l.custom_id}`, type: "invalid_request_error" } } },
      error: null,
    });
    if (ok.length) {
      batch.output_file_id = this.id("file-out-");
      this.files.set(batch.output_file_id, `${ok.map((l, i) => JSON.stringify(answer(l, i))).join("\n")}\n`);
    }
    if (bad.length) {
      batch.error_file_id = this.id("file-err-");
      this.files.set(batch.error_file_id, `${bad.map((l, i) => JSON.stringify(failed(l, i))).join("\n")}\n`);
    }
    batch.request_counts = { total: batch.request_counts.total, completed: ok.length, failed: bad.length };
    batch.status = status;
  }
}

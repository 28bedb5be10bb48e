import type { Deployment } from "../../config/deployment";
import { configError, GatewayError, upstreamUnreadable } from "../../http/errors";
import { adToken, DEFAULT_API_VERSION, deploymentName, isV1, resourceRoot } from "../../providers/azure/url";
import { COMPAT_PROVIDERS } from "../../providers/openai-compat/table";
import { upstreamError } from "../../providers/upstream-error";

/** The providers whose own Batch API a batch can be forwarded to. */
export const NATIVE_PROVIDERS = ["openai", "azure"] as const;
export type NativeProvider = (typeof NATIVE_PROVIDERS)[number];
export const isNativeProvider = (p: string): p is NativeProvider => (NATIVE_PROVIDERS as readonly string[]).includes(p);

/** OpenAI's batch object as the upstream answers it (the fields the gateway reads). */
export interface UpstreamBatch {
  id: string;
  status: string;
  output_file_id?: string | null;
  error_file_id?: string | null;
  request_counts?: { total?: number; completed?: number; failed?: number } | null;
  errors?: { data?: Array<{ code?: string | null; message?: string | null; param?: string | null; line?: number | null }> } | null;
}

/**
 * One deployment's Files and Batches API: OpenAI's `{api_base}/files`, `{api_base}/batches`
 * (api_base includes `/v1`), or Azure's `{resource}/openai/files?api-version=` and
 * `/openai/batches?api-version=` (`/openai/v1/...` without a version for api_version v1).
 */
export class UpstreamBatchApi {
  readonly provider: NativeProvider;

  constructor(readonly dep: Deployment) {
    if (!isNativeProvider(dep.provider)) throw new Error(`no native batch API for provider ${dep.provider}`);
    this.provider = dep.provider;
    if (dep.error) throw configError(dep.error);
  }

  /** The model name the upstream's lines must carry: OpenAI's model, Azure's deployment name. */
  get upstreamModel(): string {
    return this.provider === "azure" ? deploymentName(this.dep) : this.dep.model;
  }

  /** The `url` of a line and the batch's `endpoint` as the upstream spells them (Azure: without `/v1`). */
  endpoint(ours: string): string {
    return this.provider === "azure" ? ours.replace(/^\/v1\//, "/") : ours;
  }

  private url(path: string): string {
    if (this.provider === "openai") return `${(this.dep.apiBase ?? COMPAT_PROVIDERS.openai?.baseUrl ?? "https://api.openai.com/v1").replace(/\/+$/, "")}/${path}`;
    const root = resourceRoot(this.dep);
    if (isV1(this.dep)) return `${root}/openai/v1/${path}`;
    return `${root}/openai/${path}?api-version=${encodeURIComponent(this.dep.apiVersion ?? DEFAULT_API_VERSION)}`;
  }

  private headers(contentType?: string): Headers {
    const h = new Headers(contentType ? { "content-type": contentType } : {});
    if (this.provider === "azure") {
      const token = adToken(this.dep);
      if (token) h.set("authorization", `Bearer ${token}`);
      else if (this.dep.apiKey) h.set("api-key", this.dep.apiKey);
    } else if (this.dep.apiKey) h.set("authorization", `Bearer ${this.dep.apiKey}`);
    return h;
  }

  /** Calls the upstream; an error answer becomes its GatewayError (OpenAI's shape, secrets removed), naming the step. */
  private async call(step: string, path: string, init: RequestInit & { contentType?: string } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.url(path), { ...init, headers: this.headers(init.contentType) });
    } catch (e) {
      throw new GatewayError(502, `The upstream batch API could not be reached (${step}): ${e instanceof Error ? e.message : String(e)}`, "upstream_error", "upstream_error");
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    let fields: { message?: string; type?: string; code?: string; param?: string } = {};
    try {
      const e = (JSON.parse(text) as { error?: unknown }).error;
      if (e && typeof e === "object") fields = e as typeof fields;
      else if (typeof e === "string") fields = { message: e };
    } catch {
      fields = { message: text.slice(0, 300) };
    }
    const message = `The upstream batch API refused ${step}: ${typeof fields.message === "string" && fields.message ? fields.message : `HTTP ${res.status}`}`;
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    throw upstreamError(res.status, message, this.dep, res.headers, { type: str(fields.type), code: str(fields.code), param: str(fields.param) });
  }

  private async json<T>(res: Response, step: string, check: (v: Record<string, unknown>) => boolean): Promise<T> {
    let v: unknown;
    try {
      v = await res.json();
    } catch {
      throw upstreamUnreadable(`The upstream batch API answered ${step} with a body that is not JSON.`);
    }
    if (!v || typeof v !== "object" || !check(v as Record<string, unknown>)) throw upstreamUnreadable(`The upstream batch API's answer to ${step} is not the expected object.`);
    return v as T;
  }

  /** Uploads a batch input file (multipart, purpose=batch) from a stream of its `bytes` bytes, sent with a Content-Length; returns the upstream file id. */
  async uploadFile(content: ReadableStream<Uint8Array>, bytes: number, filename: string): Promise<string> {
    const boundary = `switchyard-${crypto.randomUUID()}`;
    const enc = new TextEncoder();
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename.replace(/["\r\n]/g, "_")}"\r\nContent-Type: application/jsonl\r\n\r\n`,
    );
    const tail = enc.encode(`\r\n--${boundary}--\r\n`);
    const body = new FixedLengthStream(head.length + bytes + tail.length);
    const writer = body.writable.getWriter();
    // Written as the upstream reads; a failure (the file changed in between) ends the upload with an error.
    const written = (async () => {
      await writer.write(head);
      const reader = content.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) await writer.write(r.value);
      await writer.write(tail);
      await writer.close();
    })().catch((e) => writer.abort(e).catch(() => {}));
    let res: Response;
    try {
      res = await this.call("the input file upload", "files", { method: "POST", body: body.readable, contentType: `multipart/form-data; boundary=${boundary}` });
    } catch (e) {
      // The upstream stopped reading: the writes waiting on it end too.
      await writer.abort(e).catch(() => {});
      throw e;
    }
    await written;
    return (await this.json<{ id: string }>(res, "the input file upload", (v) => typeof v.id === "string")).id;
  }

  async createBatch(req: { input_file_id: string; endpoint: string; completion_window: string; metadata?: Record<string, string> }): Promise<UpstreamBatch> {
    const res = await this.call("the batch", "batches", { method: "POST", body: JSON.stringify(req), contentType: "application/json" });
    return this.json<UpstreamBatch>(res, "the batch", isBatch);
  }

  async retrieveBatch(id: string): Promise<UpstreamBatch> {
    return this.json<UpstreamBatch>(await this.call("the batch status", `batches/${encodeURIComponent(id)}`), "the batch status", isBatch);
  }

  async cancelBatch(id: string): Promise<UpstreamBatch> {
    const res = await this.call("the cancellation", `batches/${encodeURIComponent(id)}/cancel`, { method: "POST" });
    return this.json<UpstreamBatch>(res, "the cancellation", isBatch);
  }

  /** A file's content as a stream (the batch's output or error file). */
  async fileContent(id: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.call("the result file download", `files/${encodeURIComponent(id)}/content`);
    if (!res.body) throw upstreamUnreadable("The upstream batch API sent a result file without a body.");
    return res.body;
  }
}

const isBatch = (v: Record<string, unknown>) => typeof v.id === "string" && typeof v.status === "string";

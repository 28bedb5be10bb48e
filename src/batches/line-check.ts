import type { ResolvedConfig } from "../config/resolve";
import type { Principal } from "../http/auth";
import { GatewayError } from "../http/errors";
import { applyAliases } from "../identity/aliases";
import { modelAllowed } from "../limits/guard-state";
import { modelsOf } from "../limits/subjects";
import { resolveGroup } from "../router/groups";
import { type BatchEndpoint, BATCH_ENDPOINTS, checkLineBody, isBatchEndpoint } from "./endpoints";

/** OpenAI's limit on requests in one batch. */
const MAX_BATCH_LINES = 50_000;
/** A line is kept in a D1 row while its batch runs (a row holds at most 2 MB). */
export const MAX_LINE_CHARS = 1_000_000;
const MAX_CUSTOM_ID_CHARS = 512;

interface LineProblem {
  line: number;
  message: string;
}

/**
 * Checks a batch input file line by line as its bytes arrive (JSONL): each line a JSON object with
 * a unique custom_id, method POST, one of the batch endpoints as url (the same on every line) and
 * a body valid for that endpoint naming a model the key may call. Keeps only the current partial
 * line and the custom_ids; stops at the first problem, which names its line.
 */
export class BatchLineChecker {
  problem: LineProblem | undefined;
  requests = 0;
  url: BatchEndpoint | undefined;
  readonly models = new Set<string>();
  private readonly ids = new Set<string>();
  private readonly decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  private partial = "";
  private lineNo = 0;
  private readonly modelChecks = new Map<string, string | null>();

  constructor(
    private readonly config: ResolvedConfig,
    private readonly principal: Principal,
    /** The longest line: max_request_size_mb, at most MAX_LINE_CHARS. */
    private readonly maxLineChars: number,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.problem) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.fail(this.lineNo + 1, "the file is not UTF-8 text.");
      return;
    }
    this.take(text);
  }

  end(): void {
    if (this.problem) return;
    try {
      this.take(this.decoder.decode());
    } catch {
      this.fail(this.lineNo + 1, "the file is not UTF-8 text.");
      return;
    }
    if (this.partial) this.line(this.partial);
    this.partial = "";
    if (!this.problem && this.requests === 0) this.fail(1, "the file has no request lines.");
  }

  private take(text: string): void {
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0 && !this.problem; nl = text.indexOf("\n", from)) {
      const line = this.partial + text.slice(from, nl);
      this.partial = "";
      from = nl + 1;
      this.line(line);
    }
    if (this.problem) return;
    this.partial += text.slice(from);
    if (this.partial.length > this.maxLineChars) this.fail(this.lineNo + 1, `the line is longer than ${this.maxLineChars} characters, the most a batch line may have.`);
  }

  private fail(line: number, message: string): void {
    this.problem ??= { line, message };
  }

  private line(raw: string): void {
    const n = ++this.lineNo;
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!text.trim()) return;
    const problem = this.check(text);
    if (problem) this.fail(n, problem);
  }

  /** Checks one request line and, when it is good, takes note of it; returns what is wrong with it. */
  private check(text: string): string | undefined {
    if (text.length > this.maxLineChars) return `the line is longer than ${this.maxLineChars} characters, the most a batch line may have.`;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return "not valid JSON.";
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) return "each line must be a JSON object with custom_id, method, url and body.";
    const o = v as Record<string, unknown>;
    if (typeof o.custom_id !== "string" || !o.custom_id) return "'custom_id' must be a non-empty string.";
    if (o.custom_id.length > MAX_CUSTOM_ID_CHARS) return `'custom_id' is longer than ${MAX_CUSTOM_ID_CHARS} characters.`;
    if (this.ids.has(o.custom_id)) return `the custom_id '${o.custom_id}' is used on an earlier line; each line needs its own.`;
    if (o.method !== "POST") return "'method' must be \"POST\".";
    if (!isBatchEndpoint(o.url)) return `'url' must be one of ${BATCH_ENDPOINTS.join(", ")}.`;
    if (this.url && o.url !== this.url) return `every line must call the same url; earlier lines call ${this.url}.`;
    if (!o.body || typeof o.body !== "object" || Array.isArray(o.body)) return "'body' must be a JSON object.";
    let model: string;
    try {
      model = checkLineBody(o.url, o.body as Record<string, unknown>);
    } catch (e) {
      if (e instanceof GatewayError) return `body: ${e.message}`;
      throw e;
    }
    const refused = this.modelProblem(model);
    if (refused) return refused;
    if (this.requests >= MAX_BATCH_LINES) return `a batch has at most ${MAX_BATCH_LINES} requests.`;
    this.url = o.url;
    this.ids.add(o.custom_id);
    if (this.models.size < 100) this.models.add(model);
    this.requests++;
    return undefined;
  }

  private modelProblem(model: string): string | null {
    let known = this.modelChecks.get(model);
    if (known !== undefined) return known;
    const called = applyAliases(this.principal, model);
    if (!resolveGroup(this.config, called)) known = `the model '${model}' does not exist or is not configured on this gateway.`;
    else if (this.principal.kind === "key" && !modelAllowed(modelsOf(this.principal.key.models), called)) known = `this key is not allowed to call the model '${model}'.`;
    else known = null;
    this.modelChecks.set(model, known);
    return known;
  }
}

/** R2's smallest part of a multipart upload (every part but the last must have the same size). */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * Writes an object to R2 as its bytes come: at most one part is held in memory. An object smaller
 * than one part is a single put; a larger one is a multipart upload of equal parts.
 */
export class R2Writer {
  private pieces: Uint8Array[] = [];
  private held = 0;
  private upload: R2MultipartUpload | undefined;
  private parts: R2UploadedPart[] = [];
  bytes = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    private readonly options: R2PutOptions = {},
    private readonly partBytes = PART_BYTES,
  ) {}

  async write(chunk: Uint8Array | string): Promise<void> {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    if (!bytes.length) return;
    this.pieces.push(bytes);
    this.held += bytes.length;
    this.bytes += bytes.length;
    while (this.held >= this.partBytes) await this.flushPart(this.partBytes);
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const p = this.pieces[0]!;
      const use = Math.min(p.length, n - at);
      out.set(p.subarray(0, use), at);
      at += use;
      if (use === p.length) this.pieces.shift();
      else this.pieces[0] = p.subarray(use);
    }
    this.held -= n;
    return out;
  }

  private async flushPart(n: number): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, this.options);
    const part = await this.upload.uploadPart(this.parts.length + 1, this.take(n));
    this.parts.push(part);
  }

  /** Stores what was written; returns its size in bytes. */
  async close(): Promise<number> {
    if (!this.upload) {
      await this.bucket.put(this.key, this.take(this.held), this.options);
      return this.bytes;
    }
    if (this.held > 0) await this.flushPart(this.held);
    await this.upload.complete(this.parts);
    return this.bytes;
  }

  /** Drops what was written (an upload that failed validation or went over the limit). */
  async abort(): Promise<void> {
    this.pieces = [];
    this.held = 0;
    if (this.upload) await this.upload.abort().catch(() => {});
  }
}

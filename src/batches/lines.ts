/** The lines of a stream of UTF-8 text, as they arrive (only the current partial line is held). */
export async function* textLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let partial = "";
  const reader = body.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      const text = r.done ? decoder.decode() : decoder.decode(r.value, { stream: true });
      let from = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
        const line = partial + text.slice(from, nl);
        partial = "";
        from = nl + 1;
        yield line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      partial += text.slice(from);
      if (r.done) break;
    }
    if (partial) yield partial;
  } finally {
    reader.releaseLock();
  }
}

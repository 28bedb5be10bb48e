import { useRef, useState } from "preact/hooks";
import { api, errorOf, type ApiError } from "../api";
import { ErrorText, Field, useAction } from "../components";

interface Message {
  role: "user" | "assistant";
  content: string;
}

/** Reads an OpenAI chat stream (SSE) and hands each text delta to `onText`. */
async function readStream(body: ReadableStream<Uint8Array>, onText: (t: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut: number;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        const chunk = JSON.parse(data) as { error?: { message?: string }; choices?: Array<{ delta?: { content?: string | null } }> };
        if (chunk.error) throw new Error(chunk.error.message ?? "The stream failed.");
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) onText(text);
      }
    }
  }
  throw new Error("The stream ended before [DONE]: the answer may be incomplete.");
}

/**
 * Chat through /v1/chat/completions with a pasted virtual key (raw keys are never stored, so
 * the page cannot pick one). The session cookie is not sent: model calls never accept it.
 */
export function Playground() {
  const [key, setKey] = useState("");
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState("");
  const [prompt, setPrompt] = useState("");
  const [chat, setChat] = useState<Message[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const load = useAction();

  const send = async () => {
    const history: Message[] = [...chat, { role: "user", content: prompt }];
    setChat([...history, { role: "assistant", content: "" }]);
    setPrompt("");
    setError(null);
    setStreaming(true);
    abort.current = new AbortController();
    let answer = "";
    try {
      const res = await fetch("/v1/chat/completions", {
        method: "POST",
        credentials: "omit",
        headers: { authorization: `Bearer ${key.trim()}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: history, stream: true }),
        signal: abort.current.signal,
      });
      if (!res.ok) throw (await errorOf(res)) as ApiError;
      if (!res.body) throw new Error("The gateway answered without a body.");
      await readStream(res.body, (t) => {
        answer += t;
        setChat([...history, { role: "assistant", content: answer }]);
      });
    } catch (e) {
      if (!(e instanceof DOMException && e.name === "AbortError")) setError(e);
      if (!answer) setChat(history);
    } finally {
      setStreaming(false);
      abort.current = null;
    }
  };

  return (
    <>
      <h1>Playground</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          load.run(async () => {
            const r = await api<{ data: Array<{ id: string }> }>("/v1/models", { key: key.trim() });
            const ids = r.data.map((m) => m.id);
            setModels(ids);
            if (!ids.includes(model)) setModel(ids[0] ?? "");
          });
        }}
      >
        <Field label="Virtual key" hint="Pasted here only; never stored.">
          <input name="key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={load.busy}>
          Load models
        </button>
        <Field label="Model">
          <select name="model" value={model} onChange={(e) => setModel(e.currentTarget.value)} disabled={!models.length}>
            {models.length ? null : <option value="">Load the key's models first</option>}
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <ErrorText error={load.error} />
      <ol class="chat" aria-live="polite" aria-label="Conversation">
        {chat.map((m, i) => (
          <li key={i} class={m.role}>
            <span class="label">{m.role === "user" ? "You" : model}</span>
            <p data-testid={m.role === "assistant" ? "answer" : undefined}>{m.content || (streaming ? "…" : "")}</p>
          </li>
        ))}
      </ol>
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          if (prompt.trim() && model && key.trim()) void send();
        }}
      >
        <Field label="Message">
          <textarea name="prompt" rows={3} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
        </Field>
        <div class="row">
          <button type="submit" disabled={streaming || !model || !prompt.trim()}>
            Send
          </button>
          {streaming ? (
            <button type="button" class="secondary" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : null}
          <button type="button" class="secondary" disabled={streaming || !chat.length} onClick={() => setChat([])}>
            Clear
          </button>
        </div>
        <ErrorText error={error} />
      </form>
    </>
  );
}

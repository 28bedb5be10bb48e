import type { Deployment } from "../../config/deployment";
import { configError, type GatewayError, invalidRequest, upstreamJson, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, translateStream, type StreamTranslator } from "../../http/sse";
import type { ChatRequest } from "../../api/chat";
import { withoutGatewayFields } from "../../api/controls";
import type { AdapterContext, ChatAdapter, EmbeddingsAdapter, ProviderEntry, StreamSink, TranslatedResponse } from "../types";
import { upstreamError } from "../upstream-error";
import { openaiUsage } from "../usage";
import { compatModerations, compatRerank } from "./extras";
import { COMPAT_PROVIDERS, type CompatProvider } from "./table";

export function compatBaseUrl(dep: Deployment, quirks: CompatProvider): string {
  const base = dep.apiBase ?? quirks.baseUrl;
  if (!base) throw configError(`Deployment '${dep.id}' of '${dep.modelName}' needs api_base in its litellm_params.`);
  return base.endsWith("/") ? base.slice(0, -1) : base;
}

/** The upstream body: the client's request with the deployment's model and usage asked for on streams. */
export function compatBody(req: ChatRequest, dep: Deployment, quirks: CompatProvider): Record<string, unknown> {
  const body: Record<string, unknown> = { ...withoutGatewayFields(req), model: dep.model };
  if (req.stream && quirks.streamUsage !== false) {
    body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  } else if (!req.stream) {
    delete body.stream_options;
  }
  return body;
}

/** The upstream request's headers, as a record (the Request takes it in one step). */
export function compatHeaders(dep: Deployment): Record<string, string> {
  return dep.apiKey ? { "content-type": "application/json", authorization: `Bearer ${dep.apiKey}` } : { "content-type": "application/json" };
}

/** Reads a full OpenAI-format answer; the upstream's own JSON text is passed on unchanged. */
export function compatResponse(text: string): TranslatedResponse {
  const parsed = upstreamJson(text);
  if (!parsed || typeof parsed !== "object" || !Array.isArray((parsed as { choices?: unknown }).choices)) {
    throw upstreamUnreadable("The upstream answer has no 'choices'.");
  }
  return { json: text, usage: openaiUsage((parsed as { usage?: unknown }).usage) };
}

const USAGE_MARK = '"usage":{';
const DONE_MARK = "data: [DONE]";
/** The text fields of a chunk's delta, counted to estimate what an abandoned stream produced. */
const PRODUCED = /"(?:content|reasoning_content|arguments)":"((?:[^"\\]|\\.)*)"/g;
/** A chunk's answer text, kept for the exported trace when message logging is on. */
const CONTENT = /"content":"((?:[^"\\]|\\.)*)"/g;

/**
 * Passes an OpenAI-format SSE stream through, complete events at a time. Only events that carry a
 * usage object are parsed (to price the call, and to drop the usage chunk the gateway asked for
 * when the client did not). A stream that ends without `[DONE]` ends in an error event.
 */
export function compatStreamTranslator(ctx: AdapterContext, sink: StreamSink): StreamTranslator {
  const decoder = new TextDecoder();
  let buf = "";
  let sawDone = false;

  const emit = (part: string): string => {
    if (part.includes(DONE_MARK)) sawDone = true;
    if (sink.produced) {
      let chars = 0;
      for (const m of part.matchAll(PRODUCED)) chars += m[1]!.length;
      if (chars) sink.produced(chars);
    }
    if (sink.text) {
      for (const m of part.matchAll(CONTENT)) {
        try {
          sink.text(JSON.parse(`"${m[1]}"`) as string);
        } catch {
          /* not a JSON string: not kept */
        }
      }
    }
    if (!part.includes(USAGE_MARK)) return part;
    let out = "";
    for (const event of part.split(/\r?\n\r?\n/)) {
      if (!event) continue;
      const data = event.startsWith("data:") ? event.slice(5).trim() : "";
      if (data && data !== "[DONE]" && event.includes(USAGE_MARK)) {
        try {
          const chunk = JSON.parse(data) as { id?: unknown; usage?: unknown; choices?: unknown[] };
          const usage = openaiUsage(chunk.usage);
          if (usage) sink.usage(usage);
          if (typeof chunk.id === "string") sink.responseId?.(chunk.id);
          if (!ctx.includeUsage && usage && Array.isArray(chunk.choices) && chunk.choices.length === 0) continue;
          if (!ctx.includeUsage && usage) {
            delete chunk.usage;
            out += `data: ${JSON.stringify(chunk)}\n\n`;
            continue;
          }
        } catch {
          /* not JSON: pass it on as it came */
        }
      }
      out += `${event}\n\n`;
    }
    return out;
  };

  return {
    chunk(bytes) {
      buf += decoder.decode(bytes, { stream: true });
      let cut = buf.lastIndexOf("\n\n");
      const crlf = buf.lastIndexOf("\r\n\r\n");
      if (crlf >= 0 && crlf + 4 > cut + 2) cut = crlf + 2;
      if (cut < 0) return null;
      const part = buf.slice(0, cut + 2);
      buf = buf.slice(cut + 2);
      return emit(part);
    },
    end() {
      buf += decoder.decode();
      const rest = buf.trim() ? emit(`${buf.trim()}\n\n`) : "";
      buf = "";
      if (!sawDone) {
        const tail = rest;
        // An upstream that sent an error event already ended the stream honestly; otherwise say so.
        if (tail.includes('"error"')) return tail;
        throw new IncompleteStream(tail, upstreamUnreadable("The upstream stream ended before it was complete (no end-of-stream marker)."));
      }
      return rest;
    },
  };
}

/** Builds the chat adapter of one OpenAI-compatible provider from its table row. */
function compatChatAdapter(quirks: CompatProvider): ChatAdapter {
  return {
    request(req, dep) {
      if (quirks.noChat) throw invalidRequest(`The model '${req.model}' is served by ${dep.provider}, which has no chat API on this gateway (rerank and embeddings only).`, "model");
      const url = `${compatBaseUrl(dep, quirks)}/chat/completions`;
      return new Request(url, { method: "POST", headers: compatHeaders(dep), body: JSON.stringify(compatBody(req, dep, quirks)) });
    },
    response: (text) => compatResponse(text),
    stream(body, _dep, ctx, sink) {
      return translateStream(body, compatStreamTranslator(ctx, sink), (o) => sink.end(o));
    },
    error: compatError,
  };
}

/** Maps an OpenAI-format error body (or any text) to the gateway's error, secrets removed. */
export function compatError(status: number, text: string, headers: Headers, dep: Deployment): GatewayError {
  let message = text;
  let fields: { type?: string; code?: string; param?: string } = {};
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = parsed.error;
    if (e && typeof e === "object") {
      const o = e as Record<string, unknown>;
      message = typeof o.message === "string" ? o.message : text;
      fields = {
        type: typeof o.type === "string" ? o.type : undefined,
        code: o.code == null ? undefined : String(o.code),
        param: typeof o.param === "string" ? o.param : undefined,
      };
    } else if (typeof e === "string") message = e;
    else if (typeof parsed.message === "string") message = parsed.message;
    else if (typeof parsed.detail === "string") message = parsed.detail;
  } catch {
    /* a non-JSON error body: its text is the message */
  }
  return upstreamError(status, message, dep, headers, fields);
}

/** Embeddings through an OpenAI-compatible upstream: the request and answer pass through. */
export function compatEmbeddingsAdapter(quirks: CompatProvider): EmbeddingsAdapter {
  return {
    request(req, dep) {
      const body: Record<string, unknown> = { ...withoutGatewayFields(req), model: dep.model };
      delete body.input_type;
      return new Request(`${compatBaseUrl(dep, quirks)}/embeddings`, { method: "POST", headers: compatHeaders(dep), body: JSON.stringify(body) });
    },
    response(text) {
      const parsed: { data?: unknown; usage?: unknown } = upstreamJson(text);
      if (!parsed || !Array.isArray(parsed.data)) throw upstreamUnreadable("The upstream's embeddings answer has no 'data'.");
      return { json: text, usage: openaiUsage(parsed.usage) };
    },
    error: compatError,
  };
}

/** Registry entries of the whole OpenAI-compatible family. */
export function compatProviders(): Record<string, ProviderEntry> {
  const out: Record<string, ProviderEntry> = {};
  for (const [name, quirks] of Object.entries(COMPAT_PROVIDERS)) {
    out[name] = {
      chat: compatChatAdapter(quirks),
      native: quirks.responses ? { responses: true } : undefined,
      embeddings: compatEmbeddingsAdapter(quirks),
      rerank: quirks.rerank ? compatRerank(quirks) : undefined,
      moderations: quirks.noChat ? undefined : compatModerations(quirks),
      passthrough: {
        url: (dep, path) => `${compatBaseUrl(dep, quirks)}/${path}`,
        headers: (dep) => new Headers(dep.apiKey ? { authorization: `Bearer ${dep.apiKey}` } : {}),
        error: compatError,
      },
      requiresApiBase: !quirks.baseUrl,
      requiresApiKey: !quirks.keyOptional,
      priceProvider: quirks.priceProvider,
    };
  }
  return out;
}

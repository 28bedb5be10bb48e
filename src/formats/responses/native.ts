import { withoutGatewayFields } from "../../api/controls";
import type { Deployment } from "../../config/deployment";
import { type GatewayError, upstreamJson, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator, sseTap } from "../../http/sse";
import { compatBaseUrl, compatHeaders } from "../../providers/openai-compat/adapter";
import { COMPAT_PROVIDERS } from "../../providers/openai-compat/table";
import type { TranslatedResponse, Usage } from "../../providers/types";
import { openaiUsage } from "../../providers/usage";

/**
 * The native path for OpenAI deployments: the Responses request goes to `{api_base}/responses` as
 * it came (the deployment's model and key put in, the gateway's own fields taken out), and the
 * answer comes back untouched; the gateway reads only the usage out of it.
 */

type Json = Record<string, unknown>;

export function nativeRequest(body: Json, dep: Deployment): Request {
  // The Responses API has a metadata field of its own: it goes upstream.
  const out: Json = { ...withoutGatewayFields(body, { keepMetadata: true }), model: dep.model };
  return new Request(`${compatBaseUrl(dep, COMPAT_PROVIDERS.openai!)}/responses`, { method: "POST", headers: compatHeaders(dep), body: JSON.stringify(out) });
}

export function nativeResponse(text: string): TranslatedResponse {
  const parsed: { output?: unknown; usage?: unknown } = upstreamJson(text);
  if (!parsed || !Array.isArray(parsed.output)) throw upstreamUnreadable("The upstream's response has no 'output'.");
  return { json: text, usage: openaiUsage(parsed.usage) };
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** The error event that ends a Responses stream the gateway had to cut short. */
export const responsesErrorEvent = (err: GatewayError): string => `event: error\ndata: ${JSON.stringify({ type: "error", code: err.code ?? err.type, message: err.message, param: err.param })}\n\n`;

/**
 * Passes the upstream's Responses SSE through unchanged, reading the usage from its terminal
 * event; a stream that ends without one (or an error event) ends in an error event.
 */
export function nativeStreamTranslator(hooks: {
  usage(u: Usage): void;
  failed(): void;
  /** The response's own id, from its terminal event. */
  id?(id: string): void;
  /** The answer's text (`response.output_text.delta`); only given when the call's content is exported. */
  text?(fragment: string): void;
}): StreamTranslator {
  let ended = false;
  return sseTap(
    (e) => {
      const type = e.event ?? "";
      if (type === "error") {
        ended = true;
        hooks.failed();
        return;
      }
      if (hooks.text && type === "response.output_text.delta") {
        try {
          const delta = (JSON.parse(e.data) as { delta?: unknown }).delta;
          if (typeof delta === "string") hooks.text(delta);
        } catch {
          /* passed on as it came */
        }
        return;
      }
      if (type && !TERMINAL.has(type)) return;
      if (!type && !/"type"\s*:\s*"(response\.(completed|incomplete|failed)|error)"/.test(e.data)) return;
      try {
        const data = JSON.parse(e.data) as { type?: string; response?: { id?: unknown; usage?: unknown } };
        if (data.type === "error") {
          ended = true;
          hooks.failed();
          return;
        }
        if (!TERMINAL.has(data.type ?? "")) return;
        ended = true;
        if (typeof data.response?.id === "string") hooks.id?.(data.response.id);
        if (data.type === "response.failed") hooks.failed();
        const usage = openaiUsage(data.response?.usage);
        if (usage) hooks.usage(usage);
      } catch {
        /* passed on as it came */
      }
    },
    () => {
      if (!ended) throw new IncompleteStream("", upstreamUnreadable("The upstream stream ended before it was complete (no response.completed)."));
    },
  );
}

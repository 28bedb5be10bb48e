import { withoutGatewayFields } from "../../api/controls";
import type { Deployment } from "../../config/deployment";
import { upstreamJson, upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator, sseTap } from "../../http/sse";
import { ANTHROPIC_VERSION, messagesUrl } from "../../providers/anthropic/request";
import { anthropicUsage } from "../../providers/anthropic/response";
import type { AnthropicUsage } from "../../providers/anthropic/types";
import type { TranslatedResponse, Usage } from "../../providers/types";

/**
 * The native path for `anthropic/` deployments: the client's Messages request goes to Anthropic
 * as it came (the deployment's model and key put in), and the answer comes back untouched; the
 * gateway only reads the usage out of it.
 */

type Json = Record<string, unknown>;

/** Client headers Anthropic reads that are passed on (betas such as Claude Code's, the API version). */
const PASSED_HEADERS = ["anthropic-beta", "anthropic-version"];

/** The upstream request: `{api_base}/v1/messages[/count_tokens]` with the deployment's key. */
export function nativeRequest(body: Json, dep: Deployment, client: Headers, path = ""): Request {
  const headers = new Headers({ "content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION });
  for (const name of PASSED_HEADERS) {
    const v = client.get(name);
    if (v) headers.set(name, v);
  }
  if (dep.apiKey) headers.set("x-api-key", dep.apiKey);
  return new Request(`${messagesUrl(dep)}${path}`, { method: "POST", headers, body: JSON.stringify({ ...withoutGatewayFields(body, { keepMetadata: true }), model: dep.model }) });
}

/** A full answer: passed on as it came, with its usage read for pricing. */
export function nativeResponse(text: string): TranslatedResponse {
  const parsed: { content?: unknown; usage?: AnthropicUsage } = upstreamJson(text);
  if (!parsed || !Array.isArray(parsed.content)) throw upstreamUnreadable("The upstream answer has no 'content'.");
  return { json: text, usage: anthropicUsage(parsed.usage) };
}

const USAGE_KEYS = ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const;

interface NativeStreamHooks {
  usage(u: Usage): void;
  /** The upstream sent an `error` event (passed on to the client as it came). */
  failed(): void;
  /** The message's own id (`message_start`), as the client gets it. */
  id?(id: string): void;
  /** The answer's text (`text_delta`s); only given when the call's content is exported, so only then are deltas parsed. */
  text?(fragment: string): void;
}

/**
 * Passes Anthropic's SSE bytes through unchanged while reading the usage out of `message_start`
 * and `message_delta`. A stream that ends without `message_stop` (or an error event) ends in an
 * error event.
 */
export function nativeStreamTranslator(hooks: NativeStreamHooks): StreamTranslator {
  const usage: AnthropicUsage = {};
  let stopped = false;
  let failed = false;
  const merge = (u: unknown) => {
    if (!u || typeof u !== "object") return;
    for (const k of USAGE_KEYS) {
      const v = (u as Json)[k];
      if (typeof v === "number") usage[k] = v;
    }
    const u2 = anthropicUsage(usage);
    if (u2) hooks.usage(u2);
  };
  return sseTap(
    (e) => {
      if (hooks.text && e.event === "content_block_delta") {
        try {
          const delta = (JSON.parse(e.data) as { delta?: { type?: unknown; text?: unknown } }).delta;
          if (delta?.type === "text_delta" && typeof delta.text === "string") hooks.text(delta.text);
        } catch {
          /* passed on as it came */
        }
        return;
      }
      // Only the events that carry usage or end the stream are parsed.
      if (e.event === "message_stop") stopped = true;
      else if (e.event === "error") {
        failed = true;
        hooks.failed();
      } else if (e.event === "message_start" || e.event === "message_delta") {
        try {
          const data = JSON.parse(e.data) as { message?: { id?: unknown; usage?: unknown }; usage?: unknown };
          merge(e.event === "message_start" ? data.message?.usage : data.usage);
          if (e.event === "message_start" && typeof data.message?.id === "string") hooks.id?.(data.message.id);
        } catch {
          /* passed on as it came */
        }
      }
    },
    () => {
      if (!stopped && !failed) throw new IncompleteStream("", upstreamUnreadable("The upstream stream ended before it was complete (no message_stop)."));
    },
  );
}

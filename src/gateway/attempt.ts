import { type GatewayError, upstreamUnreadable } from "../http/errors";
import { providerHeaders } from "../http/gateway-headers";
import type { TranslatedResponse } from "../providers/types";
import type { StreamSpend } from "./stream-spend";
import type { Attempt, Outcome } from "./types";
import { callUpstream, readBody } from "./upstream";

type Build = () => Request | Promise<Request>;
type MapError = (status: number, text: string, headers: Headers) => GatewayError;

/** Sends one attempt's upstream request; an error answer is mapped by `mapError` and thrown. */
export async function sendUpstream(a: Attempt, build: Build, mapError: MapError): Promise<{ response: Response; done: () => void }> {
  const request = await build();
  if (a.traceparent) request.headers.set("traceparent", a.traceparent);
  const sent = await callUpstream(request, a.timeoutMs, a.signal);
  a.upstreamHeaders = sent.response.headers;
  if (!sent.response.ok) {
    const text = await sent.response.text().catch(() => "");
    sent.done();
    const err = mapError(sent.response.status, text, sent.response.headers);
    providerHeaders(err.headers, sent.response.headers);
    throw err;
  }
  return sent;
}

/** One non-streamed attempt's answer: send, read, translate (an unreadable answer is a 502, and retryable). */
export async function fetchAnswer(a: Attempt, build: Build, mapError: MapError, translate: (text: string) => TranslatedResponse): Promise<TranslatedResponse> {
  const sent = await sendUpstream(a, build, mapError);
  try {
    return translate(await readBody(sent.response, a.timeoutMs));
  } finally {
    sent.done();
  }
}

export async function answerOutcome(a: Attempt, build: Build, mapError: MapError, translate: (text: string) => TranslatedResponse): Promise<Outcome> {
  return { kind: "answer", answer: await fetchAnswer(a, build, mapError, translate) };
}

/**
 * One streamed attempt: it commits to its deployment once the upstream answers with a stream, so
 * failover happens only before that, never after the first byte reaches the client.
 */
export async function streamOutcome(a: Attempt, build: Build, mapError: MapError, render: (body: ReadableStream<Uint8Array>, spend: StreamSpend) => ReadableStream<Uint8Array>): Promise<Outcome> {
  const sent = await sendUpstream(a, build, mapError);
  sent.done();
  if (!sent.response.body) throw upstreamUnreadable("The upstream sent no stream.");
  return { kind: "stream", upstream: sent.response, render };
}

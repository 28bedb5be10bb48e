import { clientGone, GatewayError, timeoutError, upstreamUnreadable } from "../http/errors";

/**
 * Calls the upstream with a deadline for its answer's headers (and, for non-streamed calls, its
 * body: the caller reads it before `done()`). A deadline passed is a 408; a connection failure, 502.
 * `signal` (the client's) cancels the fetch when the client goes away.
 */
export async function callUpstream(request: Request, timeoutMs: number | undefined, signal?: AbortSignal): Promise<{ response: Response; done: () => void }> {
  const controller = timeoutMs ? new AbortController() : undefined;
  let timedOut = false;
  const timer = controller
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new Error("timeout"));
      }, timeoutMs)
    : undefined;
  const done = () => {
    if (timer) clearTimeout(timer);
  };
  const abort = controller && signal ? AbortSignal.any([controller.signal, signal]) : (controller?.signal ?? signal);
  try {
    const response = await (abort ? fetch(request, { signal: abort }) : fetch(request));
    return { response, done };
  } catch (e) {
    done();
    if (timedOut) throw timeoutError(`The upstream did not answer within ${Math.round(timeoutMs! / 100) / 10}s.`);
    if (signal?.aborted) throw clientGone();
    if (e instanceof GatewayError) throw e;
    throw upstreamUnreadable(`The upstream could not be reached: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Reads a whole body under the same deadline; its expiry mid-read is a 408. */
export async function readBody(response: Response, timeoutMs: number | undefined): Promise<string> {
  try {
    return await response.text();
  } catch (e) {
    if (e instanceof Error && /timeout|abort/i.test(e.message)) {
      throw timeoutError(`The upstream did not finish its answer within ${timeoutMs ? Math.round(timeoutMs / 100) / 10 : "?"}s.`);
    }
    throw upstreamUnreadable(`The upstream answer could not be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

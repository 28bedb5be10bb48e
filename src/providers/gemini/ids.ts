/**
 * Tool call ids. Gemini names no id for a function call, so the gateway makes one (`call_...`).
 * Gemini 3 also returns a `thoughtSignature` with a function call that must come back with that
 * call in the next request (else a 400): OpenAI's format has no place for it, and the gateway
 * keeps no state, so it rides in the id (`call_<random>__thought__<signature>`), which every
 * OpenAI client echoes verbatim in the assistant message and the tool message.
 */
const SEPARATOR = "__thought__";

/** Google's documented placeholder for a function call whose signature was lost (Gemini 3 then skips the check). */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function newToolCallId(signature?: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let id = "call_";
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return signature ? `${id}${SEPARATOR}${signature}` : id;
}

/** The thought signature a tool call id carries, if any. */
export function signatureOf(id: string): string | undefined {
  const at = id.indexOf(SEPARATOR);
  return at >= 0 && at + SEPARATOR.length < id.length ? id.slice(at + SEPARATOR.length) : undefined;
}

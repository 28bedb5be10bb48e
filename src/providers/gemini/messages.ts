import { invalidRequest } from "../../http/errors";
import type { ChatMessage } from "../../api/chat";
import { parseArguments, textOf } from "../shared/params";
import { contentParts, type MediaPolicy, textParts } from "./content";
import { SKIP_SIGNATURE, signatureOf } from "./ids";
import type { Content, Json, Part } from "./types";

interface ConvertedMessages {
  systemInstruction?: { parts: Part[] };
  contents: Content[];
}

/** Gemini 3 and later reject a replayed function call that has lost its thought signature. */
const needsSignatures = (model: string): boolean => Number(/gemini-(\d+)/.exec(model)?.[1] ?? 0) >= 3;

function functionCalls(m: ChatMessage, i: number): Part[] {
  return (m.tool_calls ?? []).map((call, j) => {
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    const args = parseArguments(call.function.arguments, param);
    if (!args || typeof args !== "object" || Array.isArray(args)) throw invalidRequest(`The tool call arguments at '${param}' must be a JSON object.`, param);
    const part: Part = { functionCall: { name: call.function.name, args: args as Json } };
    const signature = signatureOf(call.id);
    if (signature) part.thoughtSignature = signature;
    return part;
  });
}

/** A tool result as a functionResponse: a JSON object result is sent as it is, anything else as `{content}`. */
function functionResponse(m: ChatMessage, i: number, names: ReadonlyMap<string, string>): Part {
  const id = m.tool_call_id;
  if (typeof id !== "string" || !id) throw invalidRequest(`The tool message at 'messages[${i}]' needs a 'tool_call_id'.`, `messages[${i}].tool_call_id`);
  const name = names.get(id) ?? m.name;
  if (!name) {
    throw invalidRequest(`The tool message at 'messages[${i}]' answers tool call '${id}', which no earlier assistant message made (gemini needs the function's name).`, `messages[${i}].tool_call_id`);
  }
  if (Array.isArray(m.content) && m.content.some((p) => (p as { type?: unknown }).type !== "text")) {
    throw invalidRequest(`Tool results may hold only text for gemini ('messages[${i}].content').`, `messages[${i}].content`);
  }
  const text = textOf(m.content);
  let response: Json = { content: text };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) response = parsed as Json;
  } catch {
    /* plain text: sent as {content} */
  }
  return { functionResponse: { name, response } };
}

/**
 * OpenAI messages as Gemini's `systemInstruction` and `contents`: system and developer messages
 * are lifted into systemInstruction (in order); assistant messages become `model` turns, their
 * tool calls `functionCall` parts (with the thought signature their id carries); tool messages
 * become `functionResponse` parts named after the call they answer; consecutive turns of one role
 * are merged (so parallel calls and their results each share one turn, as Gemini requires).
 */
export async function convertMessages(input: readonly ChatMessage[], model: string, policy: MediaPolicy): Promise<ConvertedMessages> {
  const names = new Map<string, string>();
  for (const m of input) for (const call of m.tool_calls ?? []) names.set(call.id, call.function.name);

  const converted = await Promise.all(
    input.map(async (m, i): Promise<{ role: "system" | "user" | "model"; parts: Part[] }> => {
      const param = `messages[${i}].content`;
      switch (m.role) {
        case "system":
        case "developer":
          return { role: "system", parts: await textParts(m.content, param, "System messages", policy) };
        case "user":
          return { role: "user", parts: await contentParts(m.content, param, policy) };
        case "assistant":
          return { role: "model", parts: [...(await textParts(m.content, param, "Assistant messages", policy)), ...functionCalls(m, i)] };
        case "tool":
          return { role: "user", parts: [functionResponse(m, i, names)] };
        default:
          throw invalidRequest(`The role '${m.role}' at 'messages[${i}]' is not supported by gemini; send tool results as 'tool' messages.`, `messages[${i}].role`);
      }
    }),
  );

  const system: Part[] = [];
  const contents: Content[] = [];
  for (const { role, parts } of converted) {
    if (role === "system") {
      system.push(...parts);
      continue;
    }
    if (parts.length === 0) continue;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts: [...parts] });
  }
  if (contents.length === 0) {
    throw invalidRequest("'messages' must hold at least one user or assistant message for gemini (system messages alone are not a conversation).", "messages");
  }
  if (needsSignatures(model)) {
    for (const turn of contents) {
      if (turn.role !== "model") continue;
      const calls = turn.parts.filter((p) => p.functionCall);
      // Only the first call of a turn carries the signature (parallel calls): mark it when lost.
      if (calls.length && !calls.some((p) => p.thoughtSignature)) calls[0]!.thoughtSignature = SKIP_SIGNATURE;
    }
  }
  const out: ConvertedMessages = { contents };
  if (system.length) out.systemInstruction = { parts: system };
  return out;
}

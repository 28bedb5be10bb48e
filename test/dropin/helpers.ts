import { gw } from "../helpers/gateway";
import { json } from "../helpers/upstream";

/** An OpenAI chat answer from a fake upstream, with `usage`. */
export const answer = (content: string, id = `up-${content}`, usage = { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 }) =>
  json({ id, object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }], usage });

export const failing = (status: number) => () => json({ error: { message: `fail ${status}`, type: "server_error" } }, status);

export const slow =
  (ms: number, content = "late") =>
  () =>
    new Promise<Response>((r) => setTimeout(() => r(answer(content)), ms));

export const msgs = [{ role: "user" as const, content: "hello" }];

export type Row = Record<string, any>;

/** The spend rows of a key (newest first). */
export async function rowsOf(token: string, query = ""): Promise<Row[]> {
  return (await gw(`/spend/logs?api_key=${token}${query}`)).json();
}

import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { checkNativeProvider } from "../batches/native/choose";
import type { NativeProvider } from "../batches/native/upstream";

/** The Files and Batches routes are served at /v1, at the root, and at LiteLLM's `/{provider}/v1`. */
export const FILE_BATCH_PREFIXES = ["/v1", "", "/:provider/v1"] as const;

/** A path under LiteLLM's `/{provider}/v1/files` or `/{provider}/v1/batches`. */
export const isProviderFileBatchPath = (path: string): boolean => /^\/[^/]+\/v1\/(?:files|batches)(?:\/|$)/.test(path);

/**
 * The provider a Files or Batches request names, as LiteLLM reads it: the `/{provider}/v1/...`
 * path, else the `custom_llm_provider` query parameter, else the `custom-llm-provider` header.
 * Only openai and azure (the Batch APIs the gateway forwards to) may be named: anything else is a 400.
 */
export function namedProvider(c: Context<AppEnv>): NativeProvider | undefined {
  const named = c.req.param("provider") ?? c.req.query("custom_llm_provider") ?? c.req.header("custom-llm-provider");
  return named === undefined ? undefined : checkNativeProvider(c.get("config"), named);
}

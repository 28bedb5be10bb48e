/**
 * The same hook as an RPC entrypoint (`general_settings.custom_auth: rpc:AUTH_HOOK`): the gateway
 * calls `authenticate(request)` on the Service Binding and reads the answer object, no HTTP
 * request or JSON in between. Bind it with the entrypoint named:
 *   [[services]]
 *   binding = "AUTH_HOOK"
 *   service = "switchyard-custom-auth"
 *   entrypoint = "AuthHook"
 * The default export still answers the JSON protocol (`custom_auth: service:AUTH_HOOK`).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import hook, { decide, type HookAnswer, type HookEnv, type HookRequest } from "./index";

export class AuthHook extends WorkerEntrypoint<HookEnv> {
  authenticate(request: HookRequest): HookAnswer {
    return decide(request, this.env);
  }
}

export default hook;

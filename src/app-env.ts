import type { ResolvedConfig } from "./config/resolve";
import type { Env } from "./env";
import type { Actor } from "./http/actor";
import type { Principal } from "./http/auth";

/** Hono's generics for this app: the bindings and the variables the middleware sets. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: ResolvedConfig;
    principal: Principal;
    /** Set on admin routes: the caller's role and the reach of the route's grants. */
    actor: Actor;
  };
}

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { GatewayError } from "./errors";

/** Seconds a client is asked to wait when D1 cannot be reached. */
const RETRY_AFTER_S = 5;

/** The answer when D1 cannot be reached: a 503 the client may retry, never a 500 and never a guess. */
const databaseUnavailable = () =>
  new GatewayError(503, "The gateway's database cannot be reached right now; retry shortly.", "service_unavailable", "database_unavailable", null, {
    "retry-after": String(RETRY_AFTER_S),
  });

/** A SQL error (constraint, syntax, type) is the gateway's bug, not an outage: it stays what it is. */
const isSqlError = (e: unknown) => e instanceof Error && /SQLITE_|D1_TYPE_ERROR|D1_COLUMN_NOTFOUND/.test(e.message);

function translate(e: unknown): never {
  if (e instanceof GatewayError || isSqlError(e)) throw e;
  console.error(JSON.stringify({ msg: "D1 unreachable", error: e instanceof Error ? e.message : String(e) }));
  throw databaseUnavailable();
}

/** Runs `f`, turning an outage (a throw or a rejection) into databaseUnavailable(). */
function guarded<T>(f: () => T): T {
  try {
    const out = f();
    return (out instanceof Promise ? out.catch(translate) : out) as T;
  } catch (e) {
    return translate(e);
  }
}

const STATEMENT_CALLS = new Set(["first", "all", "run", "raw"]);
/** The real statement behind each wrapper, for `batch()`, which takes only real ones. */
const real = new WeakMap<object, D1PreparedStatement>();

function wrapStatement(stmt: D1PreparedStatement): D1PreparedStatement {
  const wrapper = new Proxy(stmt, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      if (prop === "bind") return (...args: unknown[]) => wrapStatement(guarded(() => (v as (...a: unknown[]) => D1PreparedStatement).apply(target, args)));
      if (typeof prop === "string" && STATEMENT_CALLS.has(prop)) return (...args: unknown[]) => guarded(() => (v as (...a: unknown[]) => unknown).apply(target, args));
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
  real.set(wrapper, stmt);
  return wrapper;
}

const unwrap = (s: D1PreparedStatement) => real.get(s) ?? s;

/** A D1 binding whose every failure to reach the database is a 503 `database_unavailable`. */
function faultTolerantD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      const call = v as (...a: unknown[]) => unknown;
      if (prop === "prepare") return (sql: string) => wrapStatement(guarded(() => call.call(target, sql) as D1PreparedStatement));
      if (prop === "batch") return (stmts: D1PreparedStatement[]) => guarded(() => call.call(target, stmts.map(unwrap)));
      if (prop === "withSession") return (...args: unknown[]) => faultTolerantD1(guarded(() => call.apply(target, args)) as D1Database);
      return (...args: unknown[]) => guarded(() => call.apply(target, args));
    },
  });
}

/** One wrapped env per real env: caches keyed by the env (the resolved config's) stay warm. */
const wrapped = new WeakMap<object, AppEnv["Bindings"]>();

/**
 * Every route past this middleware sees D1 through faultTolerantD1: auth, admin routes and the
 * guards' first loads answer 503 `database_unavailable` (with retry-after) when D1 is down,
 * never a 500 and never a request let through on a failed lookup.
 */
export const d1Faults: MiddlewareHandler<AppEnv> = async (c, next) => {
  const env = c.env;
  if (env?.DB) {
    let safe = wrapped.get(env);
    if (!safe) {
      safe = { ...env, DB: faultTolerantD1(env.DB) };
      wrapped.set(env, safe);
    }
    c.env = safe;
  }
  await next();
};

import type { HealthChecker } from "./gateway/health-checker";
import type { DeploymentGuard } from "./limits/deployment-guard";
import type { KeyGuard } from "./limits/key-guard";
import type { SemanticCacheIndex } from "./cache/semantic/durable";
import type { BatchMessage } from "./batches/messages";
import type { SpendMessage } from "./spend/event";
import type { ExportMessage } from "./telemetry/export-message";

/** The Worker's bindings. Any other binding may be read by `os.environ/NAME` in the config. */
export interface Env {
  DB: D1Database;
  KEY_GUARD: DurableObjectNamespace<KeyGuard>;
  DEPLOYMENT_GUARD: DurableObjectNamespace<DeploymentGuard>;
  /** The background health checks (general_settings.background_health_checks): one object, its alarm runs them. */
  HEALTH_CHECKER: DurableObjectNamespace<HealthChecker>;
  SPEND_QUEUE: Queue<SpendMessage>;
  /** Per-sink export batches, handed over by the spend consumer once their rows are written. */
  EXPORT_QUEUE?: Queue<ExportMessage>;
  /** Files (/v1/files) and batch output and error files. */
  FILES_BUCKET?: R2Bucket;
  /** Gateway-run batches: start, one message per line, finalise. */
  BATCH_QUEUE?: Queue<BatchMessage>;
  /** The R2 bucket of the `s3` callback. */
  LOG_BUCKET?: R2Bucket;
  /** A bearer token that may read GET /metrics (besides the master key). */
  PROMETHEUS_TOKEN?: string;
  /** The admin key; wins over general_settings.master_key. */
  MASTER_KEY?: string;
  /** The config as YAML or JSON text, or an object when given as a wrangler [vars] table. */
  GATEWAY_CONFIG?: string | Record<string, unknown>;
  /** The response cache of `litellm_settings.cache_params.type: cloudflare-kv` (a KV namespace). */
  CACHE_KV?: KVNamespace;
  /** The semantic cache's index (`cache_params.type: semantic`): one object per namespace. */
  SEMANTIC_CACHE?: DurableObjectNamespace<SemanticCacheIndex>;
  /** The admin UI's files (ui/dist, Workers Static Assets). */
  ASSETS?: Fetcher;
  /** Sign-in to the admin UI with a username and password (LiteLLM's names), besides the master key. */
  UI_USERNAME?: string;
  UI_PASSWORD?: string;
  /** Signs the UI's session cookies; by default a key derived from the master key (and UI_PASSWORD). */
  UI_SESSION_SECRET?: string;
}

/** Hono's context variables set by the middleware. */
export interface Vars {
  requestId: string;
}

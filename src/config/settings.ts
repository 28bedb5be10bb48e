import type { ImageLimits } from "../providers/shared/images";
import type { TelemetrySettings } from "./callbacks";
import type { BatchSettings } from "./batch-settings";
import type { CacheSettings } from "./cache-settings";
import type { HealthSettings } from "./health-settings";
import type { PassThroughEndpoint } from "./pass-through";
import type { JwtSettings } from "./jwt-settings";
import type { CustomAuthSettings } from "./custom-auth-settings";
import type { AccessSettings } from "./access-settings";
import { litellmParamsSchema } from "./schema";

/** litellm_params every deployment understands (litellm_params' schema); providers add their own (see providers/registry.ts). */
export const COMMON_PARAMS: ReadonlySet<string> = new Set(Object.keys(litellmParamsSchema.shape));

export interface GatewaySettings {
  dropParams: boolean;
  requestTimeoutMs?: number;
  maxRequestBytes: number;
  /** LiteLLM's general_settings.disable_spend_logs: no spend events at all (no spend_logs rows, and keys' spend is not counted). */
  disableSpendLogs: boolean;
  /** Gateway-wide budgets per model group (litellm_settings.model_max_budget). */
  modelBudgets: Map<string, { limit: number; periodMs: number | null }>;
  /** general_settings.alerting includes "webhook": budget alerts are posted to WEBHOOK_URL. */
  webhookAlerts: boolean;
  /** Completion tokens reserved against budgets when a request sets no max_tokens. */
  reservedCompletionTokens: number;
  /** general_settings.maximum_spend_logs_retention_period: how long spend_logs rows are kept. */
  spendLogsRetention: string;
  /** general_settings.store_prompts_in_spend_logs: rows keep the request and the answer (bounded). */
  storePrompts: boolean;
  /**
   * general_settings.allowed_stored_model_secrets: the bindings a model added through the admin
   * API (/model/new, /model/update) may read with `os.environ/NAME`. Empty by default, so a stored
   * model can never read MASTER_KEY, the salt key or any other Worker secret it was not given.
   */
  allowedStoredSecrets: ReadonlySet<string>;
  /**
   * What one request may make the gateway fetch from image URLs: general_settings
   * max_images_per_request (16), max_image_bytes_per_request_mb (50) and
   * max_image_url_download_size_mb (20, LiteLLM's MAX_IMAGE_URL_DOWNLOAD_SIZE_MB).
   */
  imageLimits: ImageLimits;
  /** Callbacks (sinks, metrics), message logging, export delivery and alerting. */
  telemetry: TelemetrySettings;
  /** Files and gateway-run batches (general_settings.max_file_size_mb, batch_settings). */
  batch: BatchSettings;
  /** litellm_settings.cache with cache_params: the response cache; undefined when off. */
  cache?: CacheSettings;
  /** GET /health and the background health checks (general_settings). */
  health: HealthSettings;
  /** general_settings.pass_through_endpoints, always behind a virtual key. */
  passThrough: PassThroughEndpoint[];
  /** general_settings.enable_jwt_auth with litellm_jwtauth; undefined when JWT auth is off. */
  jwt?: JwtSettings;
  /** general_settings.enforce_user_param: a model call must name its end user (OpenAI's `user`). */
  enforceUserParam: boolean;
  /** general_settings.custom_auth: the auth hook (a Service Binding or an HTTPS endpoint); undefined when none. */
  customAuth?: CustomAuthSettings;
  /** general_settings.cloudflare_access: Access assertions sign admins and users in to the admin API. */
  access?: AccessSettings;
}

export const DEFAULT_MAX_REQUEST_BYTES = 25 * 1024 * 1024;

/**
 * LiteLLM's Prometheus metrics (litellm/types/integrations/prometheus.py): names, kinds and each
 * metric's own label set, so dashboards built for LiteLLM read Switchyard's /metrics unchanged.
 * Counters are written with the `_total` suffix, as the Prometheus client LiteLLM uses writes them.
 * Labels LiteLLM has and Switchyard does not track (user_email, client_ip, user_agent) are left
 * out, which Prometheus reads the same as an empty value.
 */
type MetricKind = "counter" | "histogram" | "gauge";

interface MetricDef {
  kind: MetricKind;
  help: string;
  labels: readonly string[];
}

const KEY = ["hashed_api_key", "api_key_alias", "team", "team_alias"] as const;
const CALLER = ["end_user", "hashed_api_key", "api_key_alias", "team", "team_alias", "user"] as const;
const DEPLOYMENT = ["litellm_model_name", "model_id", "api_base", "api_provider"] as const;

export const METRICS = {
  litellm_proxy_total_requests_metric: { kind: "counter", help: "Total number of requests made to the proxy server", labels: [...CALLER, "requested_model", "status_code", "route", "model_id"] },
  litellm_proxy_failed_requests_metric: {
    kind: "counter",
    help: "Total number of failed responses from proxy - the client did not get a success response from litellm proxy",
    labels: [...CALLER, "requested_model", "exception_status", "exception_class", "route", "model_id"],
  },
  litellm_spend_metric: { kind: "counter", help: "Total spend on LLM requests", labels: [...CALLER, "model", "model_id"] },
  litellm_input_tokens_metric: { kind: "counter", help: "Total number of input tokens from LLM requests", labels: [...CALLER, "model", "requested_model", "model_id"] },
  litellm_output_tokens_metric: { kind: "counter", help: "Total number of output tokens from LLM requests", labels: [...CALLER, "model", "requested_model", "model_id"] },
  litellm_total_tokens_metric: { kind: "counter", help: "Total number of input + output tokens from LLM requests", labels: [...CALLER, "model", "requested_model", "model_id"] },
  litellm_request_total_latency_metric: { kind: "histogram", help: "Total latency (seconds) for a request to LiteLLM", labels: [...CALLER, "requested_model", "model", "model_id"] },
  litellm_llm_api_latency_metric: { kind: "histogram", help: "Total latency (seconds) for a models LLM API call", labels: [...CALLER, "model", "requested_model", "model_id"] },
  litellm_llm_api_time_to_first_token_metric: { kind: "histogram", help: "Time to first token for a models LLM API call", labels: [...CALLER, "model", "requested_model", "model_id"] },
  litellm_overhead_latency_metric: {
    kind: "histogram",
    help: "Latency overhead (seconds) added by LiteLLM processing",
    labels: ["model_group", "api_provider", "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias", "model_id"],
  },
  litellm_deployment_total_requests: {
    kind: "counter",
    help: "LLM Deployment Analytics - Total number of LLM API calls via litellm - success + failure",
    labels: ["requested_model", ...DEPLOYMENT, ...KEY],
  },
  litellm_deployment_success_responses: {
    kind: "counter",
    help: "LLM Deployment Analytics - Total number of successful LLM API calls via litellm",
    labels: ["requested_model", ...DEPLOYMENT, ...KEY],
  },
  litellm_deployment_failure_responses: {
    kind: "counter",
    help: "LLM Deployment Analytics - Total number of failed LLM API calls for a specific LLM deploymeny. exception_status is the status of the exception from the llm api",
    labels: ["requested_model", ...DEPLOYMENT, "exception_status", "exception_class", ...KEY],
  },
  litellm_deployment_cooled_down: {
    kind: "counter",
    help: "LLM Deployment Analytics - Number of times a deployment has been cooled down by LiteLLM load balancing logic. exception_status is the status of the exception that caused the deployment to be cooled down",
    labels: [...DEPLOYMENT, "exception_status"],
  },
  litellm_deployment_state: { kind: "gauge", help: "LLM Deployment Analytics - The state of the deployment: 0 = healthy, 1 = partial outage, 2 = complete outage", labels: DEPLOYMENT },
  litellm_remaining_api_key_budget_metric: { kind: "gauge", help: "Remaining budget for api key", labels: ["hashed_api_key", "api_key_alias"] },
  litellm_remaining_team_budget_metric: { kind: "gauge", help: "Remaining budget for team", labels: ["team", "team_alias"] },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

/** LiteLLM's LATENCY_BUCKETS (seconds); +Inf is implied. */
export const LATENCY_BUCKETS = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 15, 20, 25, 30, 60, 120, 180, 240, 300,
] as const;

/** The `le` of the bucket an observation falls in (non-cumulative: the smallest bound >= the value). */
export function bucketOf(seconds: number): string {
  for (const b of LATENCY_BUCKETS) if (seconds <= b) return String(b);
  return "+Inf";
}

/** One upstream a model group can be served by: a `model_list` entry, resolved. */
export interface Deployment {
  /** `model_info.id`, else a stable hash of the entry. Safe to show: never holds a secret. */
  id: string;
  /** The model group (`model_name`) clients ask for. */
  modelName: string;
  /** The provider prefix of `litellm_params.model` (`openai`, `anthropic`, ...). */
  provider: string;
  /** The upstream model name, without the provider prefix. */
  model: string;
  apiBase?: string;
  apiKey?: string;
  apiVersion?: string;
  /** Every litellm_param with `os.environ/NAME` resolved (provider-specific ones included). */
  params: Readonly<Record<string, unknown>>;
  /** The params that were read from a binding, as written (`os.environ/NAME`): what answers show instead of the value. */
  envRefs?: Readonly<Record<string, string>>;
  rpm?: number;
  tpm?: number;
  weight?: number;
  order?: number;
  /** Milliseconds. */
  timeoutMs?: number;
  streamTimeoutMs?: number;
  costs: DeploymentCosts;
  /** model_info.base_model: the model the price table knows this deployment as (Azure deployment names). */
  baseModel?: string;
  /** The rest of model_info as written (`mode`, `max_input_tokens`, `health_check_model`, ...): descriptive, never a secret. */
  info?: Readonly<Record<string, unknown>>;
  /** model_info.access_groups: a key, team, user or org whose `models` names one of these may call this model group. */
  accessGroups?: string[];
  /** Set when the deployment cannot be used (a missing secret): answered as 503 config_error. */
  error?: string;
  /** Added at run time through /model/new (stored in D1), not in the config file. */
  stored?: boolean;
  /** The status for `error` when it is the request's fault (a wildcard model with no provider): 400. */
  errorStatus?: 400;
}

/** Per-token prices in USD from the config; they win over the price table. */
interface DeploymentCosts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  /** Audio transcription, per second of audio. */
  perSecond?: number;
  /** Text to speech, per character of input. */
  perCharacter?: number;
  /** Image generation, per image. */
  perImage?: number;
  /** Rerank, per search unit (LiteLLM's input_cost_per_query; a provider that bills none counts one per request). */
  perQuery?: number;
  /** Native batches, per token (LiteLLM's input/output_cost_per_token_batches); unset: half the live price. */
  batchInput?: number;
  batchOutput?: number;
}

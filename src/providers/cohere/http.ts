import type { Deployment } from "../../config/deployment";

/** The API root: api_base (LiteLLM's meaning for Cohere: the host root; a trailing /v1 or /v2 is tolerated), else api.cohere.com. */
export const cohereBase = (dep: Deployment): string => (dep.apiBase ?? "https://api.cohere.com").replace(/\/+$/, "").replace(/\/v[12]$/, "");

export const cohereHeaders = (dep: Deployment): Headers => new Headers({ "content-type": "application/json", authorization: `Bearer ${dep.apiKey ?? ""}` });

import { ErrorText, useLoad } from "../components";

interface Readiness {
  status: string;
  db: string;
  config?: {
    valid: boolean;
    error: string | null;
    master_key: string;
    models: string[];
    deployment_errors: Array<{ id: string; model_name: string; error: string }>;
    unsupported: unknown;
    stored_model_errors?: unknown;
  };
}

/** Read-only: /health/readiness (an unhealthy gateway answers 503 with the same body). */
export function Settings() {
  const { data, error, loading, reload } = useLoad(async () => {
    const res = await fetch("/health/readiness", { headers: { accept: "application/json" } });
    try {
      return (await res.json()) as Readiness;
    } catch {
      throw new Error(`/health/readiness answered ${res.status} without JSON.`);
    }
  }, []);
  const c = data?.config;
  return (
    <>
      <h1>Settings</h1>
      <p>
        What <code>/health/readiness</code> says about this gateway. The configuration is changed in <code>config.yaml</code> (or the <code>GATEWAY_CONFIG</code> binding) and through the Models page.
      </p>
      <button type="button" class="secondary" onClick={reload}>
        Check again
      </button>
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : ""}
      </p>
      {data ? (
        <dl class="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span class={`badge ${data.status === "healthy" ? "ok" : "bad"}`} data-testid="readiness">
                {data.status}
              </span>
            </dd>
          </div>
          <div>
            <dt>Database</dt>
            <dd>{data.db}</dd>
          </div>
          {c ? (
            <>
              <div>
                <dt>Config</dt>
                <dd>{c.valid ? "valid" : `invalid: ${c.error}`}</dd>
              </div>
              <div>
                <dt>Master key</dt>
                <dd>{c.master_key}</dd>
              </div>
              <div>
                <dt>Model groups</dt>
                <dd>{c.models.join(", ") || "none"}</dd>
              </div>
            </>
          ) : null}
        </dl>
      ) : null}
      {c?.deployment_errors.length ? (
        <>
          <h2>Deployments that cannot be used</h2>
          <ul>
            {c.deployment_errors.map((d) => (
              <li key={d.id}>
                <code>{d.id}</code> ({d.model_name}): {d.error}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {c ? (
        <>
          <h2>Settings the gateway does not support yet</h2>
          <pre>{JSON.stringify(c.unsupported, null, 2)}</pre>
        </>
      ) : null}
    </>
  );
}

import { useState } from "preact/hooks";
import { api, type DeploymentState, type ModelEntry } from "../api";
import { ErrorText, Field, num, useAction, useLoad } from "../components";
import { useCan, useSession } from "../session";

const EMPTY = { name: "", model: "", apiBase: "", apiKey: "", id: "", input: "", output: "" };

/** Adds a deployment through /model/new; the API key field is write-only (never read back). */
function AddModel({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState(EMPTY);
  const [done, setDone] = useState("");
  const set = (k: keyof typeof EMPTY) => (e: { currentTarget: HTMLInputElement }) => setF({ ...f, [k]: e.currentTarget.value });
  const { busy, error, run } = useAction();
  return (
    <details class="panel">
      <summary>Add a model</summary>
      <form
        autocomplete="off"
        onSubmit={(e) => {
          e.preventDefault();
          setDone("");
          run(async () => {
            const params: Record<string, unknown> = { model: f.model.trim() };
            if (f.apiBase.trim()) params.api_base = f.apiBase.trim();
            if (f.apiKey) params.api_key = f.apiKey;
            for (const [k, v] of [
              ["input_cost_per_token", f.input],
              ["output_cost_per_token", f.output],
            ] as const) {
              const n = num(v);
              if (Number.isNaN(n)) throw new Error(`'${k}' must be a number.`);
              if (n !== undefined) params[k] = n;
            }
            const body: Record<string, unknown> = { model_name: f.name.trim(), litellm_params: params };
            if (f.id.trim()) body.model_info = { id: f.id.trim() };
            const r = await api<{ model_id: string }>("/model/new", { body });
            setF(EMPTY);
            setDone(`Added ${r.model_id}.`);
            onAdded();
          });
        }}
      >
        <div class="form-grid">
          <Field label="Model name" hint="What clients ask for.">
            <input name="model_name" required value={f.name} onInput={set("name")} />
          </Field>
          <Field label="Provider/model" hint="e.g. openai/gpt-4o-mini, anthropic/claude-sonnet-4-5.">
            <input name="model" required value={f.model} onInput={set("model")} />
          </Field>
          <Field label="API base" hint="Optional; overrides the provider's host.">
            <input name="api_base" type="url" value={f.apiBase} onInput={set("apiBase")} />
          </Field>
          <Field label="API key" hint="Write-only: stored encrypted, never shown again.">
            <input name="api_key" type="password" autocomplete="new-password" value={f.apiKey} onInput={set("apiKey")} />
          </Field>
          <Field label="Deployment id" hint="Optional; generated when empty.">
            <input name="id" value={f.id} onInput={set("id")} />
          </Field>
          <Field label="Input cost per token (USD)">
            <input name="input_cost_per_token" inputMode="decimal" value={f.input} onInput={set("input")} />
          </Field>
          <Field label="Output cost per token (USD)">
            <input name="output_cost_per_token" inputMode="decimal" value={f.output} onInput={set("output")} />
          </Field>
        </div>
        <button type="submit" disabled={busy}>
          Add model
        </button>
        <span class="status" role="status">
          {done}
        </span>
        <ErrorText error={error} />
      </form>
    </details>
  );
}

interface HealthReport {
  healthy_endpoints: Array<Record<string, unknown>>;
  unhealthy_endpoints: Array<Record<string, unknown>>;
}

/**
 * The "Test" button: GET /health?model_id= makes one minimal call to the deployment (max_tokens 1,
 * charged to no key) and says whether it answered, or the upstream's error in words. A targeted
 * check that fails answers 503 with the report, so the body is read whatever the status.
 */
async function testDeployment(id: string): Promise<string> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`/health?model_id=${encodeURIComponent(id)}`, { headers: { accept: "application/json" }, credentials: "same-origin" });
  } catch (e) {
    return `Could not reach the gateway (${e instanceof Error ? e.message : String(e)}).`;
  }
  const ms = Math.round(performance.now() - started);
  const body = (await res.json().catch(() => null)) as (HealthReport & { error?: { message?: string } }) | null;
  if (body?.error?.message) return `Refused: ${body.error.message}`;
  if (!body?.healthy_endpoints) return `The gateway answered ${res.status} without a health report.`;
  if (body.healthy_endpoints.length) return `Answered a one-token call in ${ms} ms: healthy.`;
  const why = body.unhealthy_endpoints[0]?.error;
  return `Failed: ${typeof why === "string" ? why : "the deployment did not answer (details are off: general_settings.health_check_details)"}.`;
}

function StateCell({ m, state }: { m: ModelEntry; state: DeploymentState | undefined }) {
  if (m.model_info.error) return <span class="badge bad">{m.model_info.error}</span>;
  if (!state) return <span class="badge ok">ready</span>;
  if (state.state === "cooling_down") {
    return (
      <span class="badge bad" data-testid="cooldown">
        cooling down until {new Date(state.cooldown_until!).toLocaleTimeString()}
      </span>
    );
  }
  const facts = [
    state.failures_last_minute ? `${state.failures_last_minute} failed in the last minute` : "",
    state.latency_ms !== null ? `${state.latency_ms} ms` : "",
    state.in_flight ? `${state.in_flight} in flight` : "",
  ].filter(Boolean);
  return (
    <>
      <span class={state.failures_last_minute ? "badge warn" : "badge ok"}>{state.state === "unusable" ? "unusable" : "healthy"}</span>
      {facts.length ? <span class="hint"> {facts.join(", ")}</span> : null}
    </>
  );
}

function ModelRow({ m, state, onChanged }: { m: ModelEntry; state: DeploymentState | undefined; onChanged: () => void }) {
  const { busy, error, run } = useAction();
  const test = useAction();
  const [tested, setTested] = useState("");
  const can = useCan();
  const session = useSession();
  const p = m.litellm_params;
  return (
    <tr>
      <td>
        <strong>{m.model_name}</strong>
      </td>
      <td>
        <code>{String(p.model ?? "")}</code>
      </td>
      <td>{p.api_base ? <code>{String(p.api_base)}</code> : "default"}</td>
      <td>
        <code>{m.model_info.id}</code>
      </td>
      <td>{m.model_info.db_model ? "added here" : "config file"}</td>
      <td>
        <StateCell m={m} state={state} />
      </td>
      <td class="actions">
        {session?.role === "proxy_admin" ? (
          <button
            type="button"
            class="secondary"
            disabled={test.busy}
            aria-label={`Test ${m.model_info.id}`}
            onClick={() =>
              test.run(async () => {
                setTested("Calling…");
                setTested(await testDeployment(m.model_info.id));
                onChanged();
              })
            }
          >
            Test
          </button>
        ) : null}
        <span class="status" role="status" data-testid={`test-${m.model_info.id}`}>
          {tested}
        </span>
        {m.model_info.db_model && can("POST /model/delete") ? (
          <button
            type="button"
            class="danger"
            disabled={busy}
            aria-label={`Delete ${m.model_info.id}`}
            onClick={() =>
              confirm(`Delete the deployment ${m.model_info.id}?`) &&
              run(async () => {
                await api("/model/delete", { body: { id: m.model_info.id } });
                onChanged();
              })
            }
          >
            Delete
          </button>
        ) : null}
        <ErrorText error={error} />
      </td>
    </tr>
  );
}

/** Deployments from the config and those added through the API (/model/info), with their router state (/health/deployments) and a test call. */
export function Models() {
  const can = useCan();
  const showStates = can("GET /health/deployments");
  const { data, error, loading, reload } = useLoad(
    () => Promise.all([api<{ data: ModelEntry[] }>("/model/info"), showStates ? api<{ data: DeploymentState[]; scope: string }>("/health/deployments") : Promise.resolve(undefined)]),
    [showStates],
  );
  const [models, states] = data ?? [undefined, undefined];
  const byId = new Map((states?.data ?? []).map((s) => [s.model_id, s]));
  return (
    <>
      <h1>Models</h1>
      {can("POST /model/new") ? <AddModel onAdded={reload} /> : null}
      {states?.scope === "shared_cooldowns" ? <p class="hint">Cooldowns are shared by every gateway instance; failures, calls in flight and latency are those of the instance that answered.</p> : null}
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : models ? `${models.data.length} deployments` : ""}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Model name</th>
              <th scope="col">Provider/model</th>
              <th scope="col">API base</th>
              <th scope="col">Deployment id</th>
              <th scope="col">Source</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(models?.data ?? []).map((m) => (
              <ModelRow key={m.model_info.id} m={m} state={byId.get(m.model_info.id)} onChanged={reload} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

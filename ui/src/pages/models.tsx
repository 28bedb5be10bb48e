import { useState } from "preact/hooks";
import { api, type ModelEntry } from "../api";
import { ErrorText, Field, num, useAction, useLoad } from "../components";

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

function ModelRow({ m, onChanged }: { m: ModelEntry; onChanged: () => void }) {
  const { busy, error, run } = useAction();
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
      <td>{m.model_info.error ? <span class="badge bad">{m.model_info.error}</span> : <span class="badge ok">ready</span>}</td>
      <td class="actions">
        {m.model_info.db_model ? (
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

/** Deployments from the config and those added through the API (/model/info). */
export function Models() {
  const { data, error, loading, reload } = useLoad(() => api<{ data: ModelEntry[] }>("/model/info"), []);
  return (
    <>
      <h1>Models</h1>
      <AddModel onAdded={reload} />
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : data ? `${data.data.length} deployments` : ""}
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
            {(data?.data ?? []).map((m) => (
              <ModelRow key={m.model_info.id} m={m} onChanged={reload} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

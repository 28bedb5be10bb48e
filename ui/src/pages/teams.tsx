import { useState } from "preact/hooks";
import { api, type Team } from "../api";
import { ErrorText, Field, money, num, useAction, useLoad, words } from "../components";

/** Teams (/team/list, /team/new, /team/delete): a team bounds its keys' models, budget and limits. */
export function Teams() {
  const { data, error, loading, reload } = useLoad(() => api<Team[]>("/team/list"), []);
  const [f, setF] = useState({ alias: "", models: "", budget: "" });
  const create = useAction();
  const remove = useAction();
  return (
    <>
      <h1>Teams</h1>
      <details class="panel">
        <summary>Create a team</summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.run(async () => {
              const body: Record<string, unknown> = {};
              if (f.alias) body.team_alias = f.alias;
              if (f.models.trim()) body.models = words(f.models);
              const b = num(f.budget);
              if (Number.isNaN(b)) throw new Error("'max_budget' must be a number.");
              if (b !== undefined) body.max_budget = b;
              await api("/team/new", { body });
              setF({ alias: "", models: "", budget: "" });
              reload();
            });
          }}
        >
          <div class="form-grid">
            <Field label="Alias">
              <input name="team_alias" value={f.alias} onInput={(e) => setF({ ...f, alias: e.currentTarget.value })} />
            </Field>
            <Field label="Models" hint="Comma-separated; empty for every model.">
              <input name="models" value={f.models} onInput={(e) => setF({ ...f, models: e.currentTarget.value })} />
            </Field>
            <Field label="Max budget (USD)">
              <input name="max_budget" inputMode="decimal" value={f.budget} onInput={(e) => setF({ ...f, budget: e.currentTarget.value })} />
            </Field>
          </div>
          <button type="submit" disabled={create.busy}>
            Create team
          </button>
          <ErrorText error={create.error} />
        </form>
      </details>
      <ErrorText error={error ?? remove.error} />
      <p class="status" role="status">
        {loading ? "Loading…" : data ? `${data.length} teams` : ""}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Team</th>
              <th scope="col">Models</th>
              <th scope="col">Spend</th>
              <th scope="col">Limits</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(data ?? []).map((t) => (
              <tr key={t.team_id}>
                <td>
                  <strong>{t.team_alias ?? "—"}</strong>
                  <br />
                  <code>{t.team_id}</code>
                </td>
                <td>{t.models.length ? t.models.join(", ") : "all"}</td>
                <td>
                  {money(t.spend)}
                  {t.max_budget !== null ? ` of ${money(t.max_budget)}` : ""}
                </td>
                <td>
                  {t.rpm_limit !== null ? `${t.rpm_limit} rpm ` : ""}
                  {t.tpm_limit !== null ? `${t.tpm_limit} tpm` : ""}
                  {t.rpm_limit === null && t.tpm_limit === null ? "none" : ""}
                </td>
                <td class="actions">
                  <button
                    type="button"
                    class="danger"
                    disabled={remove.busy}
                    aria-label={`Delete team ${t.team_alias ?? t.team_id}`}
                    onClick={() =>
                      confirm(`Delete team ${t.team_alias ?? t.team_id}?`) &&
                      remove.run(async () => {
                        await api("/team/delete", { body: { team_ids: [t.team_id] } });
                        reload();
                      })
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

import { useState } from "preact/hooks";
import { api, type Team } from "../api";
import { ErrorText, Field, money, num, useAction, useLoad, words } from "../components";
import { useCan } from "../session";

const blank = (v: string | number | null) => (v === null ? "" : String(v));

/** Edits a team through /team/update: only changed fields are sent; an emptied limit is cleared (null). */
function EditTeam({ team, onDone }: { team: Team; onDone: (saved: boolean) => void }) {
  const initial = { team_alias: blank(team.team_alias), models: team.models.join(", "), max_budget: blank(team.max_budget), rpm_limit: blank(team.rpm_limit), tpm_limit: blank(team.tpm_limit) };
  const [f, setF] = useState(initial);
  const { busy, error, run } = useAction();
  const set = (k: keyof typeof initial) => (e: { currentTarget: HTMLInputElement }) => setF({ ...f, [k]: e.currentTarget.value });
  const name = team.team_alias ?? team.team_id;
  return (
    <section class="panel" aria-labelledby="edit-team-title">
      <h2 id="edit-team-title">Edit team {name}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const body: Record<string, unknown> = { team_id: team.team_id };
            for (const k of Object.keys(initial) as Array<keyof typeof initial>) {
              const v = f[k].trim();
              if (v === initial[k].trim()) continue;
              if (k === "models") body.models = words(v);
              else if (k === "team_alias") body.team_alias = v || null;
              else {
                const n = num(v);
                if (Number.isNaN(n)) throw new Error(`'${k}' must be a number.`);
                body[k] = n ?? null;
              }
            }
            if (Object.keys(body).length > 1) await api("/team/update", { body });
            onDone(true);
          });
        }}
      >
        <div class="form-grid">
          <Field label="Alias">
            <input name="team_alias" value={f.team_alias} onInput={set("team_alias")} />
          </Field>
          <Field label="Models" hint="Comma-separated; empty for every model.">
            <input name="models" value={f.models} onInput={set("models")} />
          </Field>
          <Field label="Max budget (USD)" hint="Empty for none.">
            <input name="max_budget" inputMode="decimal" value={f.max_budget} onInput={set("max_budget")} />
          </Field>
          <Field label="Requests per minute">
            <input name="rpm_limit" inputMode="numeric" value={f.rpm_limit} onInput={set("rpm_limit")} />
          </Field>
          <Field label="Tokens per minute">
            <input name="tpm_limit" inputMode="numeric" value={f.tpm_limit} onInput={set("tpm_limit")} />
          </Field>
        </div>
        <button type="submit" disabled={busy}>
          Save changes
        </button>{" "}
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
        <ErrorText error={error} />
      </form>
    </section>
  );
}

/** Teams (/team/list, /team/new, /team/update, /team/delete): a team bounds its keys' models, budget and limits. */
export function Teams() {
  const { data, error, loading, reload } = useLoad(() => api<Team[]>("/team/list"), []);
  const [f, setF] = useState({ alias: "", models: "", budget: "" });
  const create = useAction();
  const remove = useAction();
  const can = useCan();
  const [editing, setEditing] = useState<Team | null>(null);
  return (
    <>
      <h1>Teams</h1>
      {editing ? (
        <EditTeam
          key={editing.team_id}
          team={editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) reload();
          }}
        />
      ) : null}
      {can("POST /team/new") ? (
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
      ) : null}
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
              <th scope="col">State</th>
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
                <td>{t.blocked ? <span class="badge bad">blocked</span> : <span class="badge ok">active</span>}</td>
                <td class="actions">
                  {can("POST /team/update") ? (
                    <>
                      <button type="button" class="secondary" aria-label={`Edit team ${t.team_alias ?? t.team_id}`} onClick={() => setEditing(t)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        disabled={remove.busy}
                        aria-label={`${t.blocked ? "Unblock" : "Block"} team ${t.team_alias ?? t.team_id}`}
                        onClick={() =>
                          remove.run(async () => {
                            await api("/team/update", { body: { team_id: t.team_id, blocked: !t.blocked } });
                            reload();
                          })
                        }
                      >
                        {t.blocked ? "Unblock" : "Block"}
                      </button>
                    </>
                  ) : null}
                  {can("POST /team/delete") ? (
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
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

import { useState } from "preact/hooks";
import { api, qs, type KeyList, type KeyObject } from "../api";
import { CopyButton, ErrorText, Field, money, num, useAction, useLoad, when, words } from "../components";
import { useCan } from "../session";
import { KeyDetail } from "./key-detail";

const SIZE = 20;

/** Shows a raw key once, right after /key/generate or /key/regenerate answered it. */
function NewKey({ raw, onDone }: { raw: string; onDone: () => void }) {
  return (
    <section class="panel notice" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Copy the new key now</h2>
      <p>This is the only time the gateway shows it; it stores only its hash.</p>
      <p>
        <code class="secret" data-testid="raw-key">
          {raw}
        </code>
      </p>
      <CopyButton text={raw} label="Copy key" />{" "}
      <button type="button" class="secondary" onClick={onDone}>
        Done, hide it
      </button>
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: (raw: string) => void }) {
  const [f, setF] = useState({ alias: "", models: "", duration: "", budget: "", budgetDuration: "", rpm: "", tpm: "", team: "" });
  const set = (k: keyof typeof f) => (e: { currentTarget: HTMLInputElement }) => setF({ ...f, [k]: e.currentTarget.value });
  const { busy, error, run } = useAction();
  return (
    <details class="panel">
      <summary>Create a key</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const body: Record<string, unknown> = {};
            if (f.alias) body.key_alias = f.alias;
            if (f.models.trim()) body.models = words(f.models);
            if (f.duration) body.duration = f.duration;
            if (f.budgetDuration) body.budget_duration = f.budgetDuration;
            if (f.team) body.team_id = f.team;
            for (const [k, v] of [
              ["max_budget", f.budget],
              ["rpm_limit", f.rpm],
              ["tpm_limit", f.tpm],
            ] as const) {
              const n = num(v);
              if (Number.isNaN(n)) throw new Error(`'${k}' must be a number.`);
              if (n !== undefined) body[k] = n;
            }
            const made = await api<{ key: string }>("/key/generate", { body });
            setF({ alias: "", models: "", duration: "", budget: "", budgetDuration: "", rpm: "", tpm: "", team: "" });
            onCreated(made.key);
          });
        }}
      >
        <div class="form-grid">
          <Field label="Alias">
            <input name="key_alias" value={f.alias} onInput={set("alias")} />
          </Field>
          <Field label="Models" hint="Comma-separated; empty for every model.">
            <input name="models" value={f.models} onInput={set("models")} />
          </Field>
          <Field label="Expires after" hint="e.g. 30d, 12h; empty for never.">
            <input name="duration" value={f.duration} onInput={set("duration")} />
          </Field>
          <Field label="Team id">
            <input name="team_id" value={f.team} onInput={set("team")} />
          </Field>
          <Field label="Max budget (USD)">
            <input name="max_budget" inputMode="decimal" value={f.budget} onInput={set("budget")} />
          </Field>
          <Field label="Budget period" hint="e.g. 1d, 30d, 1mo.">
            <input name="budget_duration" value={f.budgetDuration} onInput={set("budgetDuration")} />
          </Field>
          <Field label="Requests per minute">
            <input name="rpm_limit" inputMode="numeric" value={f.rpm} onInput={set("rpm")} />
          </Field>
          <Field label="Tokens per minute">
            <input name="tpm_limit" inputMode="numeric" value={f.tpm} onInput={set("tpm")} />
          </Field>
        </div>
        <button type="submit" disabled={busy}>
          Create key
        </button>
        <ErrorText error={error} />
      </form>
    </details>
  );
}

function KeyRow({ k, onChanged, onRaw, onOpen }: { k: KeyObject; onChanged: () => void; onRaw: (raw: string) => void; onOpen: () => void }) {
  const { busy, error, run } = useAction();
  const can = useCan();
  const name = k.key_alias ?? k.key_name ?? k.token.slice(0, 8);
  const act = (path: string, body: unknown, then?: (r: { key?: string }) => void) =>
    run(async () => {
      const r = await api<{ key?: string }>(path, { body });
      then?.(r);
      onChanged();
    });
  return (
    <tr>
      <td>
        <strong>{k.key_alias ?? "—"}</strong>
        <br />
        <code>{k.key_name}</code>
      </td>
      <td>{k.models.length ? k.models.join(", ") : "all"}</td>
      <td>
        {money(k.spend)}
        {k.max_budget !== null ? ` of ${money(k.max_budget)}` : ""}
      </td>
      <td>
        {k.rpm_limit !== null ? `${k.rpm_limit} rpm ` : ""}
        {k.tpm_limit !== null ? `${k.tpm_limit} tpm` : ""}
        {k.rpm_limit === null && k.tpm_limit === null ? "none" : ""}
      </td>
      <td>{when(k.expires)}</td>
      <td>{k.blocked ? <span class="badge bad">blocked</span> : <span class="badge ok">active</span>}</td>
      <td class="actions">
        {can("GET /key/info") ? (
          <button type="button" class="secondary" onClick={onOpen} aria-label={`Manage ${name}`}>
            Manage
          </button>
        ) : null}
        {!can("POST /key/block") ? null : k.blocked ? (
          <button type="button" disabled={busy} onClick={() => act("/key/unblock", { key: k.token })} aria-label={`Unblock ${name}`}>
            Unblock
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => act("/key/block", { key: k.token })} aria-label={`Block ${name}`}>
            Block
          </button>
        )}
        {can("POST /key/regenerate") ? (
          <button
            type="button"
            disabled={busy}
            aria-label={`Regenerate ${name}`}
            onClick={() => confirm(`Regenerate ${name}? The current key stops working at once.`) && act("/key/regenerate", { key: k.token }, (r) => r.key && onRaw(r.key))}
          >
            Regenerate
          </button>
        ) : null}
        {can("POST /key/delete") ? (
          <button
            type="button"
            class="danger"
            disabled={busy}
            aria-label={`Delete ${name}`}
            onClick={() => confirm(`Delete ${name}? This cannot be undone.`) && act("/key/delete", { keys: [k.token] })}
          >
            Delete
          </button>
        ) : null}
        <ErrorText error={error} />
      </td>
    </tr>
  );
}

/** Virtual keys: list with search and paging, create (raw key shown once), manage (live usage, edit, spend chart), block, regenerate, delete. */
export function Keys() {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [raw, setRaw] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  // Bumped by every change from a row, so an open key's detail reads it again.
  const [version, setVersion] = useState(0);
  const changed = () => {
    reload();
    setVersion((v) => v + 1);
  };
  const can = useCan();
  const { data, error, loading, reload } = useLoad(() => api<KeyList>(`/key/list${qs({ page, size: SIZE, return_full_object: true })}`), [page]);
  const term = search.trim().toLowerCase();
  const keys = (data?.keys ?? []).filter((k) => !term || [k.key_alias, k.key_name, k.team_id, k.token].some((v) => v?.toLowerCase().includes(term)));
  return (
    <>
      <h1>Keys</h1>
      {raw ? <NewKey raw={raw} onDone={() => setRaw(null)} /> : null}
      {can("POST /key/generate") ? (
        <CreateKey
          onCreated={(r) => {
            setRaw(r);
            reload();
          }}
        />
      ) : null}
      {open ? <KeyDetail token={open} version={version} onClose={() => setOpen(null)} onChanged={reload} /> : null}
      {/* biome-ignore lint/a11y/useSemanticElements: a search landmark on a form, which <search> would only wrap */}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search this page">
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </Field>
      </form>
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : data ? `${data.total_count} keys` : ""}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Models</th>
              <th scope="col">Spend</th>
              <th scope="col">Limits</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <KeyRow key={k.token} k={k} onChanged={changed} onRaw={setRaw} onOpen={() => setOpen(k.token)} />
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Key pages">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>
          Page {page} of {Math.max(1, data?.total_pages ?? 1)}
        </span>
        <button type="button" disabled={page >= (data?.total_pages ?? 1)} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}

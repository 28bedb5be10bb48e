import { useState } from "preact/hooks";
import { api, qs, type SpendRow } from "../api";
import { ErrorText, Field, money, useLoad } from "../components";

const SIZE = 50;

function Detail({ row, onClose }: { row: SpendRow; onClose: () => void }) {
  const ms = Date.parse(row.endTime) - Date.parse(row.startTime);
  const facts: Array<[string, string]> = [
    ["Request id", row.request_id],
    ["Status", row.status],
    ["Model asked", row.model_group],
    ["Upstream model", row.model],
    ["Provider", row.provider],
    ["Deployment", row.deployment],
    ["Key (token)", row.api_key],
    ["Prompt tokens", String(row.prompt_tokens)],
    ["Completion tokens", String(row.completion_tokens)],
    ["Cost", money(row.spend)],
    ["Started", new Date(row.startTime).toLocaleString()],
    ["Duration", `${ms} ms`],
  ];
  return (
    <section class="panel" aria-labelledby="log-detail-title">
      <h2 id="log-detail-title">Request {row.request_id.slice(0, 8)}</h2>
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <code>{v}</code>
            </dd>
          </div>
        ))}
      </dl>
      <h3>Metadata (attempts, tags, user)</h3>
      <pre>{JSON.stringify(row.metadata, null, 2)}</pre>
      <button type="button" class="secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

/** The spend rows as a request log (/spend/logs), with filters and a detail view. */
export function Logs() {
  const [draft, setDraft] = useState({ key: "", team: "", model: "", status: "", tag: "", from: "", to: "" });
  const [filters, setFilters] = useState(draft);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<SpendRow | null>(null);
  const { data, error, loading } = useLoad(
    () =>
      api<SpendRow[]>(
        `/spend/logs${qs({ api_key: filters.key.trim(), team_id: filters.team.trim(), model: filters.model.trim(), status: filters.status, tag: filters.tag.trim(), start_date: filters.from, end_date: filters.to, page, page_size: SIZE })}`,
      ),
    [filters, page],
  );
  const set = (k: keyof typeof draft) => (e: { currentTarget: HTMLInputElement | HTMLSelectElement }) => setDraft({ ...draft, [k]: e.currentTarget.value });
  return (
    <>
      <h1>Logs</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setPage(1);
          setFilters({ ...draft });
        }}
      >
        <Field label="Key (raw or token)">
          <input name="api_key" value={draft.key} onInput={set("key")} />
        </Field>
        <Field label="Team id">
          <input name="team_id" value={draft.team} onInput={set("team")} />
        </Field>
        <Field label="Model">
          <input name="model" value={draft.model} onInput={set("model")} />
        </Field>
        <Field label="Status">
          <select name="status" value={draft.status} onChange={set("status")}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
          </select>
        </Field>
        <Field label="Tag">
          <input name="tag" value={draft.tag} onInput={set("tag")} />
        </Field>
        <Field label="From (UTC)">
          <input name="start_date" type="date" value={draft.from} onInput={set("from")} />
        </Field>
        <Field label="To (UTC)">
          <input name="end_date" type="date" value={draft.to} onInput={set("to")} />
        </Field>
        <button type="submit">Apply</button>
      </form>
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : data ? `${data.length} requests on this page` : ""}
      </p>
      {open ? <Detail row={open} onClose={() => setOpen(null)} /> : null}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col">Tokens</th>
              <th scope="col">Cost</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {(data ?? []).map((r) => (
              <tr key={r.request_id}>
                <td>{new Date(r.startTime).toLocaleString()}</td>
                <td>{r.model_group}</td>
                <td>{r.status === "failure" ? <span class="badge bad">failure</span> : r.status}</td>
                <td>
                  {r.prompt_tokens} + {r.completion_tokens}
                </td>
                <td>{money(r.spend)}</td>
                <td>
                  <button type="button" class="secondary" aria-label={`View details of request ${r.request_id}`} onClick={() => setOpen(r)}>
                    View
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Log pages">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span>Page {page}</span>
        <button type="button" disabled={(data?.length ?? 0) < SIZE} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </nav>
    </>
  );
}

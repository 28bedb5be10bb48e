import { useState } from "preact/hooks";
import { api, qs, type ReportRow } from "../api";
import { BarChart, ErrorText, Field, money, useLoad, utcDay } from "../components";

/** Every day from `from` to `to` (YYYY-MM-DD, inclusive). */
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`) && out.length < 400; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Spend and requests per day, and the top models, from /global/spend/report. */
export function Overview() {
  const [from, setFrom] = useState(utcDay(13));
  const [to, setTo] = useState(utcDay(0));
  const range = { start_date: from, end_date: to };
  const { data, error, loading } = useLoad(
    () => Promise.all([api<ReportRow[]>(`/global/spend/report${qs({ ...range, group_by: "day" })}`), api<ReportRow[]>(`/global/spend/report${qs({ ...range, group_by: "model" })}`)]),
    [from, to],
  );
  const [byDay, byModel] = data ?? [[], []];
  const perDay = new Map(byDay.map((r) => [String(r.day), r]));
  const span = days(from, to);
  const totals = byDay.reduce(
    (t, r) => ({ spend: t.spend + r.total_spend, requests: t.requests + r.requests, failed: t.failed + r.failed_requests, tokens: t.tokens + r.prompt_tokens + r.completion_tokens }),
    { spend: 0, requests: 0, failed: 0, tokens: 0 },
  );
  return (
    <>
      <h1>Overview</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="From (UTC)">
          <input type="date" value={from} max={to} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
        </Field>
        <Field label="To (UTC)">
          <input type="date" value={to} min={from} onChange={(e) => e.currentTarget.value && setTo(e.currentTarget.value)} />
        </Field>
      </form>
      <ErrorText error={error} />
      <p class="status" role="status">
        {loading ? "Loading…" : ""}
      </p>
      <ul class="cards" aria-label="Totals">
        <li>
          <span class="label">Spend</span>
          <strong data-testid="total-spend">{money(totals.spend)}</strong>
        </li>
        <li>
          <span class="label">Requests</span>
          <strong data-testid="total-requests">{totals.requests}</strong>
        </li>
        <li>
          <span class="label">Failed</span>
          <strong>{totals.failed}</strong>
        </li>
        <li>
          <span class="label">Tokens</span>
          <strong>{totals.tokens}</strong>
        </li>
      </ul>
      <div class="grid2">
        <BarChart title="Spend" points={span.map((d) => ({ label: d, value: perDay.get(d)?.total_spend ?? 0 }))} format={(v) => money(v)} />
        <BarChart title="Requests" points={span.map((d) => ({ label: d, value: perDay.get(d)?.requests ?? 0 }))} format={(v) => String(Math.round(v))} />
      </div>
      <h2>Top models</h2>
      {byModel.length ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Spend</th>
                <th scope="col">Requests</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {byModel.slice(0, 10).map((r) => (
                <tr key={String(r.model)}>
                  <td>{r.model ?? "—"}</td>
                  <td>{money(r.total_spend)}</td>
                  <td>{r.requests}</td>
                  <td>{r.failed_requests}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>No calls in this range yet.</p>
      )}
    </>
  );
}

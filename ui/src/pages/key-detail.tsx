import { useState } from "preact/hooks";
import { api, qs, type KeyInfo, type SpendRow } from "../api";
import { BarChart, ErrorText, Field, money, num, useAction, useLoad, utcDay, when, words } from "../components";
import { useCan } from "../session";

/** One meter of the key's live usage: "used of limit", or that nothing limits it. */
function Meter(props: { label: string; used: number | null; limit: number | null; format?: (v: number) => string; unlimited: string }) {
  const f = props.format ?? String;
  const { used, limit } = props;
  return (
    <li>
      <span class="label">{props.label}</span>
      <br />
      {limit === null || used === null ? (
        <span>{props.unlimited}</span>
      ) : (
        <>
          <strong>
            {f(used)} of {f(limit)}
          </strong>
          <meter min={0} max={limit || 1} value={Math.min(used, limit)} high={limit * 0.8} aria-label={`${props.label}: ${f(used)} of ${f(limit)}`} />
        </>
      )}
    </li>
  );
}

/** /key/info's live fields: requests and tokens this minute, budget used, calls in flight. */
function LiveUsage({ info, onRefresh, loading }: { info: KeyInfo; onRefresh: () => void; loading: boolean }) {
  return (
    <>
      <h3>Live usage</h3>
      <ul class="meters" aria-label="Live usage" data-testid="live-usage">
        <Meter label="Requests this minute" used={info.rpm_used} limit={info.rpm_limit} unlimited="No rpm limit (not counted)" />
        <Meter label="Tokens this minute" used={info.tpm_used} limit={info.tpm_limit} unlimited="No tpm limit (not counted)" />
        <Meter label="Budget used this period" used={info.budget_used} limit={info.max_budget} format={money} unlimited={`No budget; ${money(info.spend)} spent in all`} />
        <li>
          <span class="label">In flight / budget resets</span>
          <br />
          {info.parallel_requests_in_flight} in flight; {info.budget_reset_at ? `resets ${when(info.budget_reset_at)}` : "no budget period"}
        </li>
      </ul>
      <button type="button" class="secondary" disabled={loading} onClick={onRefresh}>
        Refresh usage
      </button>
    </>
  );
}

const blank = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/** Edits the key through /key/update: only the fields changed are sent; a field emptied is cleared (null). */
function EditKey({ token, info, onSaved }: { token: string; info: KeyInfo; onSaved: () => void }) {
  const initial = {
    key_alias: blank(info.key_alias),
    models: info.models.join(", "),
    rpm_limit: blank(info.rpm_limit),
    tpm_limit: blank(info.tpm_limit),
    max_parallel_requests: blank(info.max_parallel_requests),
    max_budget: blank(info.max_budget),
    budget_duration: blank(info.budget_duration),
  };
  const [f, setF] = useState(initial);
  const [done, setDone] = useState("");
  const { busy, error, run } = useAction();
  const set = (k: keyof typeof initial) => (e: { currentTarget: HTMLInputElement }) => setF({ ...f, [k]: e.currentTarget.value });
  return (
    <form
      aria-labelledby="edit-key-title"
      onSubmit={(e) => {
        e.preventDefault();
        setDone("");
        run(async () => {
          const body: Record<string, unknown> = { key: token };
          for (const k of Object.keys(initial) as Array<keyof typeof initial>) {
            if (f[k].trim() === initial[k].trim()) continue;
            const v = f[k].trim();
            if (k === "models") body.models = words(v);
            else if (k === "key_alias" || k === "budget_duration") body[k] = v || null;
            else {
              const n = num(v);
              if (Number.isNaN(n)) throw new Error(`'${k}' must be a number.`);
              body[k] = n ?? null;
            }
          }
          if (Object.keys(body).length === 1) {
            setDone("Nothing changed.");
            return;
          }
          await api("/key/update", { body });
          setDone("Saved.");
          onSaved();
        });
      }}
    >
      <h3 id="edit-key-title">Edit</h3>
      <div class="form-grid">
        <Field label="Alias">
          <input name="key_alias" value={f.key_alias} onInput={set("key_alias")} />
        </Field>
        <Field label="Models" hint="Comma-separated; empty for every model.">
          <input name="models" value={f.models} onInput={set("models")} />
        </Field>
        <Field label="Requests per minute" hint="Empty for no limit.">
          <input name="rpm_limit" inputMode="numeric" value={f.rpm_limit} onInput={set("rpm_limit")} />
        </Field>
        <Field label="Tokens per minute" hint="Empty for no limit.">
          <input name="tpm_limit" inputMode="numeric" value={f.tpm_limit} onInput={set("tpm_limit")} />
        </Field>
        <Field label="Parallel requests">
          <input name="max_parallel_requests" inputMode="numeric" value={f.max_parallel_requests} onInput={set("max_parallel_requests")} />
        </Field>
        <Field label="Max budget (USD)">
          <input name="max_budget" inputMode="decimal" value={f.max_budget} onInput={set("max_budget")} />
        </Field>
        <Field label="Budget period" hint="e.g. 1d, 30d, 1mo.">
          <input name="budget_duration" value={f.budget_duration} onInput={set("budget_duration")} />
        </Field>
      </div>
      <button type="submit" disabled={busy}>
        Save changes
      </button>
      <span class="status" role="status">
        {done}
      </span>
      <ErrorText error={error} />
    </form>
  );
}

const CHART_DAYS = 14;
const CHART_ROWS = 1000;

/** The key's spend per day over the last two weeks, summed from its /spend/logs rows. */
function KeySpendChart({ token }: { token: string }) {
  const from = utcDay(CHART_DAYS - 1);
  const { data, error } = useLoad(() => api<SpendRow[]>(`/spend/logs${qs({ api_key: token, start_date: from, end_date: utcDay(0), page_size: CHART_ROWS })}`), [token]);
  if (error) return <ErrorText error={error} />;
  if (!data) return <p class="status">Loading the spend chart…</p>;
  const perDay = new Map<string, number>();
  for (const r of data) perDay.set(r.startTime.slice(0, 10), (perDay.get(r.startTime.slice(0, 10)) ?? 0) + (r.spend ?? 0));
  const points = Array.from({ length: CHART_DAYS }, (_, i) => {
    const day = utcDay(CHART_DAYS - 1 - i);
    return { label: day, value: perDay.get(day) ?? 0 };
  });
  return (
    <>
      <BarChart title="Key spend" points={points} format={money} />
      {data.length >= CHART_ROWS ? <p class="status">Drawn from the key's latest {CHART_ROWS} calls only; older days may be short.</p> : null}
    </>
  );
}

/** One key: live usage, editing and its spend per day. */
export function KeyDetail({ token, version, onClose, onChanged }: { token: string; version: number; onClose: () => void; onChanged: () => void }) {
  const can = useCan();
  const { data, error, loading, reload } = useLoad(() => api<{ key: string; info: KeyInfo }>(`/key/info${qs({ key: token })}`), [token, version]);
  const name = data?.info.key_alias ?? data?.info.key_name ?? token.slice(0, 8);
  return (
    <section class="panel" aria-labelledby="key-detail-title" data-testid="key-detail">
      <h2 id="key-detail-title">Key {name}</h2>
      <ErrorText error={error} />
      {data ? (
        <>
          {data.info.blocked ? <p class="badge bad">blocked: every call with it is refused</p> : null}
          <LiveUsage info={data.info} onRefresh={reload} loading={loading} />
          {can("POST /key/update") ? (
            <EditKey
              key={token}
              token={token}
              info={data.info}
              onSaved={() => {
                reload();
                onChanged();
              }}
            />
          ) : null}
        </>
      ) : (
        <p class="status">{loading ? "Loading…" : ""}</p>
      )}
      {can("GET /spend/logs") ? <KeySpendChart token={token} /> : null}
      <button type="button" class="secondary" onClick={onClose}>
        Close
      </button>
    </section>
  );
}

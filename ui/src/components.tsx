import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "./api";

/** Today (UTC) as YYYY-MM-DD, or `days` before it. */
export function utcDay(daysAgo = 0): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

export const money = (v: number | null | undefined) => (v === null || v === undefined ? "unpriced" : `$${v < 0.01 && v > 0 ? v.toPrecision(2) : v.toFixed(2)}`);

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "never");

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** An error in words, announced to screen readers. */
export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

/** Loads `load()` on mount and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** A labelled form control. */
export function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children this label wraps
    <label class="field">
      <span class="label">{props.label}</span>
      {props.children}
      {props.hint ? <span class="hint">{props.hint}</span> : null}
    </label>
  );
}

/** Runs an action, remembering its error and whether it is busy. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

export interface BarPoint {
  label: string;
  value: number;
}

/**
 * A bar chart in plain SVG (no chart library: one series of daily bars is all the UI draws).
 * The numbers are also in a table below it for screen readers and exact reading.
 */
export function BarChart(props: { title: string; points: BarPoint[]; format: (v: number) => string }) {
  const { points } = props;
  const max = Math.max(0, ...points.map((p) => p.value)) || 1;
  const w = 640;
  const h = 180;
  const pad = 24;
  const bw = points.length ? (w - pad) / points.length : 0;
  const total = points.reduce((s, p) => s + p.value, 0);
  return (
    <figure class="chart">
      <figcaption>
        {props.title}: <strong>{props.format(total)}</strong> in total
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h + pad}`} role="img" aria-label={`${props.title} per day, ${points.length} days, highest ${props.format(max)}`}>
        <line x1={pad} y1={h} x2={w} y2={h} class="axis" />
        <text x={0} y={12} class="tick">
          {props.format(max)}
        </text>
        {points.map((p, i) => {
          const bh = (p.value / max) * (h - 20);
          return (
            <rect key={p.label} x={pad + i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} class="bar">
              <title>{`${p.label}: ${props.format(p.value)}`}</title>
            </rect>
          );
        })}
        {points.length ? (
          <>
            <text x={pad} y={h + 18} class="tick">
              {points[0]!.label}
            </text>
            <text x={w} y={h + 18} class="tick" text-anchor="end">
              {points[points.length - 1]!.label}
            </text>
          </>
        ) : null}
      </svg>
      <details>
        <summary>Numbers</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">{props.title}</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.label}>
                  <td>{p.label}</td>
                  <td>{props.format(p.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A button that copies `text` and says so. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState("");
  return (
    <>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard.writeText(text).then(
            () => setDone("Copied."),
            () => setDone("Copying failed: select the text and copy it by hand."),
          )
        }
      >
        {label}
      </button>
      <span class="status" role="status">
        {done}
      </span>
    </>
  );
}

/** Comma- or space-separated words -> a list (empty input -> []). */
export const words = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);

/** A number field's value, or undefined when blank. */
export function num(s: string): number | undefined {
  if (!s.trim()) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : NaN;
}

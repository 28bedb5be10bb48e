import { describe, expect, it } from "vitest";
import dashboard from "../../examples/grafana-dashboard.json";
import { METRICS } from "../../src/telemetry/metrics/definitions";

describe("examples/grafana-dashboard.json", () => {
  it("queries only metrics and labels /metrics serves", () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      for (const [name] of expr.matchAll(/litellm_[a-z_]+/g)) {
        const family = name.replace(/_(total|bucket|sum|count)$/, "") as keyof typeof METRICS;
        expect(METRICS[family], name).toBeDefined();
        if (METRICS[family].kind === "counter") expect(name, "counters are read with _total").toMatch(/_total$/);
        for (const [, label] of expr.matchAll(/by \(([^)]*)\)/g)) {
          for (const l of label!.split(",").map((x) => x.trim())) if (l !== "le") expect(METRICS[family].labels as readonly string[], `${name} by ${l}`).toContain(l);
        }
      }
    }
  });
});

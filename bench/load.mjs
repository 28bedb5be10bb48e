// A small HTTP load generator: `concurrency` keep-alive clients, bounded by time and count,
// recording each request's latency and (for streams) its time to first byte.
import http from "node:http";

/**
 * Fires POSTs at `url` for `seconds` (at most `maxRequests`) with `concurrency` in flight.
 * Resolves with { requests, errors, rps, p50, p99, ttfbP50 } (ms).
 */
export async function load({ url, headers = {}, body, concurrency, seconds, maxRequests = 200_000 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const u = new URL(url);
  const payload = Buffer.from(body);
  const latencies = [];
  const ttfbs = [];
  let errors = 0;
  let started = 0;
  const until = performance.now() + seconds * 1000;

  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": payload.length, ...headers } },
        (res) => {
          let first = true;
          res.on("data", () => {
            if (first) {
              first = false;
              ttfbs.push(performance.now() - t0);
            }
          });
          res.on("end", () => {
            if (res.statusCode !== 200) errors++;
            else latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });

  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < until && started < maxRequests) {
      started++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  const pct = (arr, p) => {
    if (!arr.length) return NaN;
    const s = [...arr].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), ttfbP50: pct(ttfbs, 50) };
}

// The baseline: a bare pass-through worker that forwards the request body to the upstream and
// streams its answer back natively. What any gateway costs is measured against this.
export default {
  async fetch(request, env) {
    const upstream = await fetch(env.UPSTREAM_URL, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer bench" }, body: request.body });
    return new Response(upstream.body, upstream);
  },
};

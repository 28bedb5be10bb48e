// The baseline for a translated stream: the bare pass-through worker, with the upstream's bytes
// passed through a JavaScript TransformStream that only re-enqueues each chunk. Translating a
// provider's stream cannot cost less than handing every chunk to JavaScript and back.
export default {
  async fetch(request, env) {
    const upstream = await fetch(env.UPSTREAM_URL, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer bench" }, body: request.body });
    const identity = new TransformStream({ transform: (chunk, controller) => controller.enqueue(chunk) });
    return new Response(upstream.body.pipeThrough(identity), upstream);
  },
};

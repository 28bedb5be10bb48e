import type { RerankRequest } from "../../api/rerank";
import { configError, invalidRequest, upstreamUnreadable } from "../../http/errors";
import { geminiError } from "../gemini/errors";
import { numField, parseJson, rerankAnswer } from "../shared/rerank";
import type { RerankAdapter } from "../types";
import { serviceAccount } from "./credentials";
import { accessToken } from "./token";

const RANKING_HOST = "https://discoveryengine.googleapis.com";
const PROJECT = /^[a-z0-9][a-z0-9-]*$/i;
/** Records Google bills as one ranking query (a request with more is billed as several). */
const RECORDS_PER_QUERY = 100;

/** A record's title: the document's own `title`, else its first three words (LiteLLM's rule, so scores match LiteLLM's). */
function titleOf(doc: RerankRequest["documents"][number]): string {
  const own = typeof doc === "string" ? undefined : doc.title;
  if (typeof own === "string" && own) return own;
  const text = typeof doc === "string" ? doc : doc.text;
  return text.split(/\s+/).filter(Boolean).slice(0, 3).join(" ");
}

/**
 * Vertex AI's ranking API (Discovery Engine, `POST {host}/v1/projects/{project}/locations/global/
 * rankingConfigs/default_ranking_config:rank`, as LiteLLM calls it) for `vertex_ai/semantic-ranker-*`
 * models, with the service account's token and `X-Goog-User-Project`: the documents as records
 * `{id: index, title, content}`, `top_n` as `topN`, record details left out of the answer (the
 * gateway fills documents from the request). The answer's `records: [{id, score}]` has no usage:
 * search units are counted as Google bills them, one query per 100 records.
 */
export const vertexRerank: RerankAdapter = {
  async request(req, dep, ctx) {
    if (req.max_tokens_per_doc != null && !ctx.dropParams) {
      throw invalidRequest("The parameter 'max_tokens_per_doc' is not supported by Vertex AI's ranking API. Remove it, or set drop_params: true to drop it.", "max_tokens_per_doc");
    }
    const sa = serviceAccount(dep);
    if (!sa) throw configError(`Deployment '${dep.id}' of '${dep.modelName}' needs vertex_credentials (a service account): Vertex AI's ranking API takes no API key.`);
    const v = dep.params.vertex_project;
    const project = typeof v === "string" && v ? v : sa.project_id;
    if (!project || !PROJECT.test(project)) throw configError(`Deployment '${dep.id}' of '${dep.modelName}' needs a valid vertex_project.`);
    const body: Record<string, unknown> = {
      model: dep.model,
      query: req.query,
      records: req.documents.map((d, i) => ({ id: String(i), title: titleOf(d), content: typeof d === "string" ? d : d.text })),
      ignoreRecordDetailsInResponse: true,
    };
    if (req.top_n != null) body.topN = req.top_n;
    const headers = new Headers({ "content-type": "application/json", authorization: `Bearer ${await accessToken(sa)}`, "x-goog-user-project": project });
    const url = `${RANKING_HOST}/v1/projects/${project}/locations/global/rankingConfigs/default_ranking_config:rank`;
    return new Request(url, { method: "POST", headers, body: JSON.stringify(body) });
  },
  response(text, req, _dep, ctx) {
    const r = parseJson(text, "Vertex AI");
    if (!Array.isArray(r.records)) throw upstreamUnreadable("Vertex AI's ranking answer has no records.");
    const results = r.records.map((x) => {
      const o = (x ?? {}) as { id?: unknown; score?: unknown };
      const index = typeof o.id === "string" && /^\d+$/.test(o.id) ? Number(o.id) : undefined;
      return { index, relevance_score: numField(o.score) };
    });
    return rerankAnswer(req, { results, searchUnits: Math.ceil(req.documents.length / RECORDS_PER_QUERY) }, ctx.requestId);
  },
  error: geminiError,
  unsupported: ["max_tokens_per_doc"],
};

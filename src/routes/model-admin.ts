import { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { forgetDbModels } from "../config/db-models";
import type { Deployment } from "../config/deployment";
import { envName, resolveConfig } from "../config/resolve";
import { parseBody } from "../api/parse";
import { litellmParamsPatchSchema, litellmParamsSchema, noNegativeCosts } from "../config/schema";
import { maskParams, sealParams } from "../config/secrets";
import { db } from "../db/client";
import { deleteModel, findModel, insertModel, updateModel } from "../db/models";
import { GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { reachesAll } from "../identity/scope";
import { modelAllowed } from "../limits/guard-state";
import { accessGroupsOf } from "../router/groups";
import { callerModelLists } from "./models";

/** LiteLLM's model admin API (master key): models stored in D1, merged with the config. */
export const modelAdmin = new Hono<AppEnv>();

const newSchema = z.object({
  model_name: z.string().check(z.minLength(1)),
  litellm_params: litellmParamsSchema,
  model_info: z.optional(z.looseObject({ id: z.optional(z.string().check(z.minLength(1))) }).check(noNegativeCosts)),
});
const updateSchema = z.object({
  model_info: z.looseObject({ id: z.string().check(z.minLength(1)) }).check(noNegativeCosts),
  model_name: z.optional(z.string().check(z.minLength(1))),
  litellm_params: z.optional(litellmParamsPatchSchema),
});
const deleteSchema = z.object({ id: z.string().check(z.minLength(1)) });

const parse = parseBody;

const notFound = (id: string) => new GatewayError(404, `No model with id '${id}' was added through the API.`, "invalid_request_error", "model_not_found", "id");

/**
 * A stored model may read only the bindings general_settings.allowed_stored_model_secrets names:
 * otherwise any admin-API caller could read MASTER_KEY or the salt key into a field it sees, or
 * send it to an api_base of its choice.
 */
function checkSecretRefs(params: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  for (const [k, v] of Object.entries(params)) {
    const name = typeof v === "string" ? envName(v) : undefined;
    if (name === undefined || allowed.has(name)) continue;
    throw invalidRequest(
      `'litellm_params.${k}' reads os.environ/${name}, which models added through the API may not read. ` +
        `List the binding in general_settings.allowed_stored_model_secrets (in the config file) to allow it, or pass the value itself (it is stored encrypted).`,
      `litellm_params.${k}`,
    );
  }
}

/** Checks an entry the way the config loader would, so a bad model is a 400 now, not a 503 later. */
function validate(entry: { model_name: string; litellm_params: Record<string, unknown> }, env: Record<string, unknown>, allowed: ReadonlySet<string>): void {
  checkSecretRefs(entry.litellm_params, allowed);
  const probe = resolveConfig({ model_list: [entry] }, { ...env, MASTER_KEY: "probe" });
  if (probe.error) throw invalidRequest(maskAllRefs(probe.error.replace("Invalid config at model_list[0].", ""), entry.litellm_params, env), "litellm_params");
}

/** `text` with the value of every binding `params` reference replaced by the reference. */
function maskAllRefs(text: string, params: Record<string, unknown>, env: Record<string, unknown>): string {
  let out = text;
  for (const v of Object.values(params)) {
    const name = typeof v === "string" ? envName(v) : undefined;
    const value = name === undefined ? undefined : env[name];
    if (typeof value === "string" && value.length >= 4) out = out.split(value).join(`os.environ/${name}`);
  }
  return out;
}

/** The params as an admin may see them: a value read from a binding as its reference, secrets never. */
function shownParams(d: Deployment): Record<string, unknown> {
  return maskParams({ ...d.params, ...d.envRefs });
}

function describe(d: Deployment) {
  return {
    model_name: d.modelName,
    litellm_params: shownParams(d),
    model_info: { id: d.id, db_model: !!d.stored, provider: d.provider, ...(d.accessGroups ? { access_groups: d.accessGroups } : {}), ...(d.error ? { error: d.error } : {}) },
  };
}

modelAdmin.post("/model/new", requireAuth("admin"), async (c) => {
  const body = parse(newSchema, await readJson(c));
  const env = c.env as unknown as Record<string, unknown>;
  validate(body, env, c.get("config").settings.allowedStoredSecrets);
  const id = body.model_info?.id ?? crypto.randomUUID();
  if (c.get("config").deployments.some((d) => d.id === id) || (await findModel(db(c.env.DB), id))) {
    throw invalidRequest(`A model with id '${id}' already exists.`, "model_info.id");
  }
  const { id: _, ...info } = body.model_info ?? {};
  const row = await insertModel(db(c.env.DB), { id, modelName: body.model_name, litellmParams: await sealParams(body.litellm_params, env), modelInfo: info });
  forgetDbModels();
  return c.json({ model_id: row.id, model_name: row.modelName, litellm_params: maskParams(row.litellmParams), model_info: { ...row.modelInfo, id: row.id, db_model: true } });
});

/** Every deployment for proxy admins and viewers; a virtual key sees the deployments of the models it may call. */
modelAdmin.get("/model/info", requireAuth("admin"), async (c) => {
  const id = c.req.query("litellm_model_id") ?? c.req.query("id");
  const lists = reachesAll(c.get("actor")) ? [] : await callerModelLists(c);
  const deps = c.get("config").deployments.filter((d) => (!id || d.id === id) && lists.every((l) => modelAllowed(l, d.modelName, accessGroupsOf(c.get("config").groups.get(d.modelName) ?? [d]))));
  if (id && !deps.length) throw notFound(id);
  return c.json({ data: deps.map(describe) });
});

modelAdmin.post("/model/update", requireAuth("admin"), async (c) => {
  const body = parse(updateSchema, await readJson(c));
  const id = body.model_info.id;
  const d = db(c.env.DB);
  const row = await findModel(d, id);
  if (!row) {
    if (c.get("config").deployments.some((dep) => dep.id === id)) {
      throw invalidRequest(`The model '${id}' is defined in the config file; change it there.`, "model_info.id");
    }
    throw notFound(id);
  }
  const env = c.env as unknown as Record<string, unknown>;
  const params = { ...row.litellmParams, ...(body.litellm_params ?? {}) };
  const name = body.model_name ?? row.modelName;
  validate({ model_name: name, litellm_params: params }, env, c.get("config").settings.allowedStoredSecrets);
  const sealed = await sealParams(params, env);
  const { id: _, ...info } = body.model_info;
  const updated = await updateModel(d, id, { modelName: name, litellmParams: sealed, modelInfo: { ...row.modelInfo, ...info } });
  forgetDbModels();
  return c.json({ model_id: id, model_name: updated!.modelName, litellm_params: maskParams(updated!.litellmParams), model_info: { ...updated!.modelInfo, id, db_model: true } });
});

modelAdmin.post("/model/delete", requireAuth("admin"), async (c) => {
  const { id } = parse(deleteSchema, await readJson(c));
  if (!(await deleteModel(db(c.env.DB), id))) {
    if (c.get("config").deployments.some((dep) => dep.id === id)) {
      throw invalidRequest(`The model '${id}' is defined in the config file; remove it there.`, "id");
    }
    throw notFound(id);
  }
  forgetDbModels();
  return c.json({ message: `Model ${id} deleted.`, id });
});

import * as z from "zod/mini";
import type { Db } from "../db/client";
import type { OrganizationMemberRow, OrganizationRow, TeamRow } from "../db/schema";
import type { Env } from "../env";
import { GatewayError } from "../http/errors";
import { guardOf } from "../limits/guard-client";
import { orgState, orgSubject } from "../limits/subjects";
import { limitFields, limitRowFields } from "./fields";
import { memberSchema } from "./members";

export const ORG_NOT_YET = new Set(["budget_id", "object_permission", "guardrails", "prompts", "soft_budget", "model_max_budget", "max_parallel_requests"]);

const orgFields = {
  organization_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  ...limitFields,
};

export const newOrgSchema = z.object({ organization_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))), ...orgFields });
export const updateOrgSchema = z.object({ organization_id: z.string().check(z.minLength(1)), ...orgFields });

const ORG_ROLES = ["org_admin", "internal_user", "internal_user_viewer"] as const;
const orgMember = z.object({ user_id: memberSchema.shape.user_id, user_email: memberSchema.shape.user_email, role: z.optional(z.enum(ORG_ROLES)) });
export const orgMemberAddSchema = z.object({
  organization_id: z.string().check(z.minLength(1)),
  member: z.union([orgMember, z.array(orgMember).check(z.minLength(1), z.maxLength(100))]),
});

export function orgRowFields(f: Partial<z.infer<typeof updateOrgSchema>>): Partial<OrganizationRow> {
  const out: Partial<OrganizationRow> = limitRowFields(f);
  if (f.organization_alias !== undefined) out.organizationAlias = f.organization_alias;
  return out;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function orgObject(row: OrganizationRow, teams: TeamRow[] = [], members: OrganizationMemberRow[] = [], resetAt: number | null = null) {
  return {
    organization_id: row.organizationId,
    organization_alias: row.organizationAlias,
    models: row.models,
    spend: row.spend,
    metadata: row.metadata,
    // LiteLLM keeps an organization's limits in its budget table.
    litellm_budget_table: { max_budget: row.maxBudget, budget_duration: row.budgetDuration, tpm_limit: row.tpmLimit, rpm_limit: row.rpmLimit },
    budget_reset_at: iso(resetAt),
    teams: teams.map((t) => ({ team_id: t.teamId, team_alias: t.teamAlias, models: t.models })),
    members: members.map((m) => ({ user_id: m.userId, user_role: m.userRole })),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export const orgGuard = (env: Env, id: string) => guardOf(env, orgSubject(id));
export const syncOrgGuard = (env: Env, row: OrganizationRow, revoked = false) => orgGuard(env, row.organizationId).configure(orgState(row, revoked), Date.now());

export const orgNotFound = (id: string) => new GatewayError(404, `Organization '${id}' was not found.`, "invalid_request_error", "organization_not_found", "organization_id");

export type { Db };

import type { AuthKeyRow } from "../db/keys";

/**
 * The key-shaped record of a caller that presented no stored key (a JWT, a custom auth hook's
 * answer): it carries the team, user and organization whose guards bound the call, and no
 * limits of its own. Its token is a label (`jwt:<user>@<team>`) that no stored key's hash can
 * equal; spend logs show it as the call's api_key.
 */
export function identityKey(fields: Partial<AuthKeyRow> & { label: string }): AuthKeyRow {
  const { label, ...rest } = fields;
  const now = Date.now();
  return {
    token: label,
    keyId: null,
    keyName: label,
    keyAlias: null,
    models: [],
    expires: null,
    rpmLimit: null,
    tpmLimit: null,
    maxParallelRequests: null,
    modelRpmLimit: null,
    modelTpmLimit: null,
    maxBudget: null,
    budgetDuration: null,
    softBudget: null,
    modelMaxBudget: null,
    teamId: null,
    userId: null,
    aliases: null,
    tags: null,
    keyType: "default",
    allowedRoutes: null,
    allowedCacheControls: null,
    tempBudgetIncrease: null,
    tempBudgetExpiry: null,
    metadata: {},
    spend: 0,
    blocked: false,
    createdAt: now,
    updatedAt: now,
    teamModelAliases: null,
    teamOrganizationId: null,
    ...rest,
  };
}

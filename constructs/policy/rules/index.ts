/**
 * The rule catalog: every rule of the policy pack, in report order. Ids are unique and stable (suppressions
 * and code-scanning alerts refer to them).
 */
import type { Rule } from "../types";
import { ACCOUNT_RULES } from "./account";
import { BACKUP_RULES } from "./backup";
import { CLUSTER_RULES } from "./cluster";
import { DATABASE_RULES } from "./databases";
import { EDGE_RULES } from "./edge";
import { ENCRYPTION_RULES } from "./encryption";
import { IAM_RULES } from "./iam";
import { KUBERNETES_RULES } from "./kubernetes";
import { NETWORK_RULES } from "./network";
import { SECRET_RULES } from "./secrets";
import { SERVICE_RULES } from "./services";
import { STATE_RULES } from "./state";
import { STORAGE_RULES } from "./storage";

export const RULES: readonly Rule[] = [
  ...NETWORK_RULES,
  ...DATABASE_RULES,
  ...SERVICE_RULES,
  ...CLUSTER_RULES,
  ...IAM_RULES,
  ...STORAGE_RULES,
  ...EDGE_RULES,
  ...ENCRYPTION_RULES,
  ...BACKUP_RULES,
  ...KUBERNETES_RULES,
  ...SECRET_RULES,
  ...STATE_RULES,
  ...ACCOUNT_RULES,
];

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));
if (BY_ID.size !== RULES.length) throw new Error("policy rule ids must be unique");

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

export const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);

/**
 * Every preflight check, in the order they are reported. One module per check (see ../types.ts); add a new one here.
 */
import type { PreflightCheck } from "../types";
import { connectionsCheck } from "./connections";
import { instanceTypesCheck } from "./instance-types";
import { principalsCheck } from "./principals";
import { quotasCheck } from "./quotas";
import { secretsCheck } from "./secrets";
import { serviceLinkedRolesCheck } from "./service-linked-roles";
import { stateKeyCheck } from "./state-key";
import { versionsCheck } from "./versions";
import { zonesCheck } from "./zones";

export const CHECKS: readonly PreflightCheck[] = [
  stateKeyCheck,
  zonesCheck,
  principalsCheck,
  serviceLinkedRolesCheck,
  secretsCheck,
  versionsCheck,
  instanceTypesCheck,
  quotasCheck,
  connectionsCheck,
];

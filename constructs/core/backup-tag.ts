/**
 * The contract between stateful resources and the backup plans that protect them. AWS Backup selects resources
 * by tag: every stateful resource carries `platform:backup = <plan name>`, and each backup plan selects the
 * resources whose tag names it. Resources that must not be backed up by AWS Backup (none today) would omit it, so
 * coverage can be computed from the synthesized JSON alone.
 */

/** Tag key AWS Backup selections match on. */
export const BACKUP_TAG_KEY = "platform:backup";

/** Plan a resource belongs to unless its configuration names another. */
export const DEFAULT_BACKUP_PLAN = "default";

/** A backup plan name as used in tag values and plan names: lowercase letters, digits and hyphens. */
export const BACKUP_PLAN_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The tag that puts a resource into backup plan `plan`. */
export function backupTag(plan: string = DEFAULT_BACKUP_PLAN): Record<string, string> {
  if (!BACKUP_PLAN_NAME.test(plan)) {
    throw new Error(`backup plan "${plan}" is not a valid plan name; allowed: lowercase letters, digits and '-', starting with a letter, at most 40 characters`);
  }
  return { [BACKUP_TAG_KEY]: plan };
}

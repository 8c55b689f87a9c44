/**
 * Generic backup checks over every bundled stack (so a new environment, tenant or plan is covered automatically):
 *
 * - no two rules of a backup plan start in overlapping windows (AWS Backup would run only the longer-retained one:
 *   https://docs.aws.amazon.com/aws-backup/latest/devguide/plan-options-and-configuration.html);
 * - every Aurora/RDS database whose plan has a continuous rule keeps exactly that rule's retention
 *   (terraform-provider-aws#33465: AWS Backup manages the automated backups then);
 * - no cold-storage transition on plans that protect only Aurora, RDS, DocumentDB and S3 (AWS Backup ignores it);
 * - restore-testing selections exist only for resource types the stack has.
 */
import { describe, expect, it } from "vitest";
import { ruleWindowOverlaps } from "../../constructs/backup/schedules";
import { BACKUP_TAG_KEY } from "../../constructs/core/backup-tag";
import { bundledSynth, resourceList, type Synthesized } from "../support/synth";

const stacks = [...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as Synthesized] as const);

interface Rule {
  rule_name: string;
  schedule?: string;
  start_window?: number;
  enable_continuous_backup?: boolean;
  lifecycle?: { delete_after?: number; cold_storage_after?: number };
}
type Plan = { name: string; rule: Rule[] };

const plansOf = (json: Synthesized) => resourceList(json, "aws_backup_plan") as unknown as Plan[];
const tagOf = (resource: Record<string, unknown>) => (resource.tags as Record<string, string> | undefined)?.[BACKUP_TAG_KEY];

/** The resource types AWS Backup sees in a stack, as restore testing names them. */
function protectedTypes(json: Synthesized): Set<string> {
  const types = new Set<string>();
  for (const cluster of resourceList(json, "aws_rds_cluster")) if (tagOf(cluster)) types.add("Aurora");
  for (const db of resourceList(json, "aws_db_instance")) if (tagOf(db)) types.add("RDS");
  for (const cluster of resourceList(json, "aws_docdb_cluster")) if (tagOf(cluster)) types.add("DocumentDB");
  for (const bucket of resourceList(json, "aws_s3_bucket")) if (tagOf(bucket)) types.add("S3");
  return types;
}

describe("backup plans of every bundled stack", () => {
  it("covers the stacks that hold backup plans (environments and dedicated tenants)", () => {
    const withPlans = stacks.filter(([, json]) => plansOf(json).length > 0).map(([name]) => name);
    expect(withPlans).toEqual(expect.arrayContaining(["prod-infra", "staging-infra", "dev-infra", "tenant-initech-infra"]));
    // Production's plan has a continuous rule (35 days), so its databases are derived from it, not the old 14.
    const prod = stacks.find(([name]) => name === "prod-infra")?.[1] ?? {};
    expect(resourceList(prod, "aws_rds_cluster").map((cluster) => cluster.backup_retention_period)).toEqual([35, 35, 35]);
  });

  it.each(stacks.filter(([, json]) => plansOf(json).length > 0))("%s: no two rules of a plan start in overlapping windows", (_, json) => {
    for (const plan of plansOf(json)) {
      const rules = plan.rule.filter((rule) => rule.schedule).map((rule) => ({ name: rule.rule_name, schedule: rule.schedule as string }));
      const window = Math.max(...plan.rule.map((rule) => rule.start_window ?? 60));
      expect(ruleWindowOverlaps(rules, window), plan.name).toEqual([]);
    }
  });

  it.each(stacks.filter(([, json]) => plansOf(json).length > 0))("%s: databases keep exactly their plan's continuous retention", (_, json) => {
    const databases = [...resourceList(json, "aws_rds_cluster"), ...resourceList(json, "aws_db_instance").filter((db) => db.replicate_source_db === undefined)];
    const mismatches = databases.flatMap((db) => {
      const plan = plansOf(json).find((candidate) => candidate.name.endsWith(`-${tagOf(db)}`));
      const continuous = plan?.rule.find((rule) => rule.enable_continuous_backup)?.lifecycle?.delete_after;
      return continuous === undefined || db.backup_retention_period === continuous ? [] : [`${String(db.cluster_identifier ?? db.identifier)}: ${String(db.backup_retention_period)} != ${continuous}`];
    });
    expect(mismatches).toEqual([]);
  });

  it.each(stacks.filter(([, json]) => plansOf(json).length > 0))("%s: no ignored cold-storage transitions, restore tests only of types the stack has", (_, json) => {
    for (const plan of plansOf(json)) {
      for (const rule of plan.rule) expect(rule.lifecycle?.cold_storage_after, `${plan.name} ${rule.rule_name}`).toBeUndefined();
    }
    const present = protectedTypes(json);
    for (const selection of resourceList(json, "aws_backup_restore_testing_selection")) {
      expect([...present], String(selection.name)).toContain(selection.protected_resource_type);
    }
  });
});

/**
 * Converts the documents of the AWS-managed IAM policies the platform attaches (and the ones the policy pack and the
 * IAM simulation reason about) into `constructs/policy/iam/aws-managed-policies.json`, so tests evaluate the real
 * documents offline. Input: a directory of `aws iam get-policy-version` outputs, one file per policy named after
 * the policy (`{"PolicyVersion": {"Document": ..., "VersionId": ..., "CreateDate": ...}}`) — the format of
 * `aws iam get-policy-version --policy-arn <arn> --version-id <default>` and of the public MAMIP archive
 * (github.com/zoph-io/MAMIP, `policies/<name>`).
 *
 *   npx tsx scripts/convert-managed-policies.ts <directory>
 *
 * A test fails when a stack attaches an AWS-managed policy that is missing here: add it to MANAGED_POLICIES and
 * re-run the conversion.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const MANAGED_POLICIES_FILE = join(__dirname, "..", "constructs", "policy", "iam", "aws-managed-policies.json");

/** `path/name` (the part of the ARN after `policy/`) of every AWS-managed policy kept. */
export const MANAGED_POLICIES = [
  "AdministratorAccess",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEKSClusterPolicy",
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonSSMManagedInstanceCore",
  "AWSBackupServiceRolePolicyForS3Backup",
  "AWSBackupServiceRolePolicyForS3Restore",
  "IAMFullAccess",
  "PowerUserAccess",
  "ReadOnlyAccess",
  "service-role/AmazonRDSEnhancedMonitoringRole",
  "service-role/AWSBackupServiceRolePolicyForBackup",
  "service-role/AWSBackupServiceRolePolicyForRestores",
  "service-role/AWSLambdaVPCAccessExecutionRole",
] as const;

interface PolicyVersion {
  readonly PolicyVersion: { readonly Document: unknown; readonly VersionId?: string; readonly CreateDate?: string };
}

function main(argv: string[]): void {
  const directory = argv[0];
  if (!directory) {
    process.stderr.write("usage: npx tsx scripts/convert-managed-policies.ts <directory of get-policy-version outputs>\n");
    process.exit(2);
  }
  const policies: Record<string, { versionId: string; createDate: string; document: unknown }> = {};
  for (const path of MANAGED_POLICIES) {
    const name = path.split("/").pop() as string;
    const file = join(resolve(directory), name);
    let parsed: PolicyVersion;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8")) as PolicyVersion;
    } catch (error) {
      process.stderr.write(`${file}: cannot read the policy version (${(error as Error).message})\n`);
      process.exit(1);
    }
    policies[path] = { versionId: parsed.PolicyVersion.VersionId ?? "unknown", createDate: parsed.PolicyVersion.CreateDate ?? "unknown", document: parsed.PolicyVersion.Document };
  }
  const out = {
    $comment: "Converted by scripts/convert-managed-policies.ts from `aws iam get-policy-version` outputs (default versions). Keys are the ARN part after `arn:aws:iam::aws:policy/`.",
    policies,
  };
  writeFileSync(MANAGED_POLICIES_FILE, `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`wrote ${MANAGED_POLICIES_FILE} (${MANAGED_POLICIES.length} policies)\n`);
}

if (require.main === module) main(process.argv.slice(2));

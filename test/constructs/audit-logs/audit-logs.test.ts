import { describe, expect, it } from "vitest";
import { AuditLogs, type AuditLogsProps } from "../../../constructs/audit-logs";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

function logs(props: Partial<AuditLogsProps> = {}) {
  return synthConstruct((scope) => new AuditLogs(scope, "audit", {
    account: TEST_ACCOUNT,
    bucketName: "acme-audit-logs-123456789012-eu-west-1",
    keyAlias: "alias/acme-audit-logs",
    trailNames: ["acme-audit"],
    config: true,
    retentionDays: 2557,
    lockDays: 365,
    lockMode: "COMPLIANCE",
    ...props,
  }));
}

type Statement = { sid?: string; effect?: string; actions?: string[]; resources?: string[]; principals?: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] };
const document = (json: Synthesized, prefix: string) => Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix))![1].statement as Statement[];

describe("AuditLogs", () => {
  const { json } = logs();

  it("is a write-once bucket: object lock from creation with a default retention, versioned, protected from destroy", () => {
    expect(resourceList(json, "aws_s3_bucket")).toEqual([expect.objectContaining({ bucket: "acme-audit-logs-123456789012-eu-west-1", object_lock_enabled: true, force_destroy: false, lifecycle: { prevent_destroy: true } })]);
    expect(resourceList(json, "aws_s3_bucket_object_lock_configuration")[0]).toMatchObject({ rule: { default_retention: { mode: "COMPLIANCE", days: 365 } } });
    expect(resourceList(json, "aws_s3_bucket_versioning")[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
  });

  it("is encrypted with its own rotating key, closed to the public, owner-enforced, TLS-only, and expires after the retention", () => {
    expect(resourceList(json, "aws_kms_key")[0]).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(resourceList(json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resourceList(json, "aws_s3_bucket_ownership_controls")[0]).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(JSON.stringify(resourceList(json, "aws_s3_bucket_server_side_encryption_configuration")[0])).toMatch(/"sse_algorithm":"aws:kms"/);
    const lifecycle = JSON.stringify(resourceList(json, "aws_s3_bucket_lifecycle_configuration")[0]);
    expect(lifecycle).toMatch(/"days":2557/);
    expect(lifecycle).toMatch(/"storage_class":"GLACIER_IR"/);
    expect(document(json, "audit_bucket-policy-document").slice(0, 2).map((statement) => statement.sid)).toEqual(["DenyInsecureTransport", "DenyOutdatedTls"]);
  });

  it("lets only this account's trails and AWS Config deliver, each under its prefix", () => {
    const statements = document(json, "audit_bucket-policy-document");
    const sid = (name: string) => statements.find((statement) => statement.sid === name)!;
    expect(sid("CloudTrailWrite")).toMatchObject({ principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }], resources: [expect.stringMatching(/\/cloudtrail\/AWSLogs\/123456789012\/\*$/)] });
    expect(sid("CloudTrailWrite").condition).toEqual(expect.arrayContaining([{ test: "StringEquals", variable: "aws:SourceArn", values: ["arn:aws:cloudtrail:eu-west-1:123456789012:trail/acme-audit"] }]));
    expect(sid("ConfigWrite").resources).toEqual([expect.stringMatching(/\/config\/AWSLogs\/123456789012\/Config\/\*$/)]);
    expect(sid("ConfigWrite").condition).toEqual(expect.arrayContaining([{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }]));
    const key = document(json, "audit_key-policy");
    expect(key.find((statement) => statement.sid === "CloudTrailEncryptsLogs")?.condition?.map((condition) => condition.variable)).toEqual(["kms:EncryptionContext:aws:cloudtrail:arn", "aws:SourceArn"]);
  });

  it("admits only the deliveries it has: no Config statements without AWS Config", () => {
    const { json: trailOnly } = logs({ config: false });
    expect(document(trailOnly, "audit_bucket-policy-document").some((statement) => statement.sid?.startsWith("Config"))).toBe(false);
  });

  it("rejects a lock longer than the retention, and a bucket nothing delivers to", () => {
    expect(() => logs({ lockDays: 400, retentionDays: 365 })).toThrow(/lockDays \(400\) must not exceed retentionDays \(365\)/);
    expect(() => logs({ trailNames: [], config: false })).toThrow(/nothing delivers here/);
  });
});

import { describe, expect, it } from "vitest";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { buildStacks, bundledConfig, bundledSynth, resourceList, synthJson, type Synthesized } from "../support/synth";

const text = bundledSynth().get("bootstrap")!;
const json = JSON.parse(text) as Synthesized;
type Statement = { sid?: string; effect?: string; actions?: string[]; resources?: string[]; condition?: { test: string; variable: string; values: string[] }[] };
const policy = (prefix: string) =>
  Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix))![1].statement as Statement[];

describe("bootstrap stack: state bucket", () => {
  it("is versioned, closed to the public, owner-enforced and protected from destroy", () => {
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket: "acme-tfstate-111111111111-eu-west-1", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(text).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(text).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(resourceList(json, "aws_s3_bucket_ownership_controls")[0]).toMatchObject({ rule: { object_ownership: "BucketOwnerEnforced" } });
  });

  it("is encrypted with its own rotating customer-managed key", () => {
    const [sse] = resourceList(json, "aws_s3_bucket_server_side_encryption_configuration");
    expect(JSON.stringify(sse)).toMatch(/"sse_algorithm":"aws:kms"/);
    expect(JSON.stringify(sse)).toMatch(/"kms_master_key_id":"\$\{aws_kms_key\.state_key_/);
    expect(resourceList(json, "aws_kms_key")[0]).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(resourceList(json, "aws_kms_alias")[0]).toMatchObject({ name: "alias/acme-tfstate" });
  });

  it("denies non-TLS and pre-1.2 TLS access", () => {
    const statements = policy("state_bucket-policy-document").slice(0, 2);
    expect(statements.map((s) => [s.sid, s.effect, s.condition?.[0]?.variable])).toEqual([
      ["DenyInsecureTransport", "Deny", "aws:SecureTransport"],
      ["DenyOutdatedTls", "Deny", "s3:TlsVersion"],
    ]);
  });

  it("expires superseded state versions after the configured retention, keeping the newest ten", () => {
    const [lifecycle] = resourceList(json, "aws_s3_bucket_lifecycle_configuration");
    expect(JSON.stringify(lifecycle)).toMatch(/"noncurrent_days":90/);
    expect(JSON.stringify(lifecycle)).toMatch(/"newer_noncurrent_versions":10/);
    expect(JSON.stringify(lifecycle)).toMatch(/"days_after_initiation":7/);
  });
});

describe("bootstrap stack: each environment's CI roles reach only its own state", () => {
  const statements = policy("state_bucket-policy-document");
  const principalArns = (statement: Statement) => statement.condition?.find((condition) => condition.variable === "aws:PrincipalArn")?.values ?? [];
  const role = (environment: string, kind: string) => `arn:aws:iam::111111111111:role/acme-${environment}-ci-${kind}`;

  it("holds no CI identity any more: the account stacks create the roles and the OIDC provider", () => {
    expect(resourceList(json, "aws_iam_role")).toEqual([]);
    expect(resourceList(json, "aws_iam_openid_connect_provider")).toEqual([]);
  });

  it("admits each environment's roles by aws:PrincipalArn (valid before the roles exist) to its prefix only", () => {
    const prod = statements.filter((statement) => statement.sid?.startsWith("prod"));
    expect(prod.map((statement) => [statement.sid, statement.effect ?? "Allow"])).toEqual([
      ["prodReadsOwnState", "Allow"],
      ["prodDeployWritesOwnState", "Allow"],
      ["prodPlanWritesOwnLocks", "Allow"],
      ["prodNoOtherState", "Deny"],
      ["prodPlanWritesNoState", "Deny"],
    ]);
    const [reads, writes, locks, others, planWrites] = prod as [Statement, Statement, Statement, Statement & { not_resources?: string[] }, Statement & { not_resources?: string[] }];
    expect(reads.resources).toEqual([expect.stringMatching(/\/environments\/prod\/\*$/)]);
    expect(principalArns(reads).sort()).toEqual([role("prod", "deploy"), role("prod", "plan")]);
    expect(principalArns(writes)).toEqual([role("prod", "deploy")]);
    expect(principalArns(locks)).toEqual([role("prod", "plan")]);
    expect(locks.resources).toEqual([expect.stringMatching(/\/environments\/prod\/\*\.tflock$/)]);
    expect(others.not_resources).toEqual([expect.stringMatching(/\/environments\/prod\/\*$/)]);
    expect(planWrites.not_resources).toEqual([expect.stringMatching(/\/environments\/prod\/\*\.tflock$/)]);
    for (const environment of ["dev", "staging"]) expect(statements.some((statement) => statement.sid === `${environment}NoOtherState`)).toBe(true);
    // Grants name the roles' accounts, never "*": Block Public Access rejects a "*" grant conditioned on aws:PrincipalArn.
    const grants = statements.filter((statement) => (statement.effect ?? "Allow") === "Allow") as (Statement & { principals?: { identifiers: string[] }[] })[];
    expect(grants.flatMap((statement) => statement.principals?.flatMap((principal) => principal.identifiers) ?? []).filter((identifier) => identifier === "*")).toEqual([]);
    expect(reads.condition).toBeDefined();
    expect((reads as Statement & { principals?: { identifiers: string[] }[] }).principals).toEqual([{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] }]);
  });

  it("lets CI roles use the state key only through S3, for this bucket", () => {
    const [key] = resourceList(json, "aws_kms_key");
    expect(key).toBeDefined();
    const keyPolicy = policy("state_key-policy");
    const ci = keyPolicy.find((statement) => statement.sid === "CiRolesUseKeyThroughS3")!;
    expect(ci.actions?.sort()).toEqual(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]);
    expect(ci.condition?.map((condition) => condition.variable).sort()).toEqual(["aws:PrincipalArn", "kms:EncryptionContext:aws:s3:arn", "kms:ViaService"]);
    expect(principalArns(ci)).toContain(role("prod", "deploy"));
  });

  it("can be synthesized with a local backend for its very first apply, outside cdktf.out/", async () => {
    const local = synthJson((await buildStacks(bundledConfig(), { stackPatterns: ["bootstrap"], bootstrapBackend: "local", bootstrapStateDir: "/repo/.state" })).get("bootstrap")!);
    expect(local.terraform).toMatchObject({ backend: { local: { path: "/repo/.state/bootstrap.tfstate" } } });
  });
});

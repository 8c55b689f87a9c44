import { describe, expect, it } from "vitest";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
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
    const statements = policy("state_bucket-policy-document");
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

describe("bootstrap stack: CI identity", () => {
  it("registers GitHub's OIDC provider for the STS audience", () => {
    expect(text).toHaveResourceWithProperties(IamOpenidConnectProvider, { url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
  });

  it("trusts the plan role only for this repository's pull requests and deploy branch", () => {
    const [trust] = policy("ci_plan-trust");
    expect(trust!.condition).toEqual([
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:example-org/platform-iac:pull_request", "repo:example-org/platform-iac:ref:refs/heads/main"] },
    ]);
  });

  it("trusts the deploy role only from the environments' GitHub environments", () => {
    const [trust] = policy("ci_deploy-trust");
    expect(trust!.condition?.[1]?.values.sort()).toEqual([
      "repo:example-org/platform-iac:environment:dev",
      "repo:example-org/platform-iac:environment:production",
      "repo:example-org/platform-iac:environment:staging",
    ]);
  });

  it("gives the plan role read-only access and lets it write only lock files", () => {
    const roles = resourceList(json, "aws_iam_role_policy_attachment").map((a) => a.policy_arn);
    expect(roles).toEqual(expect.arrayContaining(["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]));
    expect(roles).not.toContain("arn:aws:iam::aws:policy/AdministratorAccess");
    const writes = policy("ci_plan-state-document").find((s) => s.sid === "WriteLocksOnly")!;
    expect(writes.resources).toEqual([expect.stringMatching(/^\$\{aws_s3_bucket\.state_bucket_\w+\.arn\}\/\*\.tflock$/)]);
  });

  it("limits the deploy role's IAM rights to project-prefixed names and protects the CI identity", () => {
    const statements = policy("ci_deploy-iam-document");
    const manage = statements.find((s) => s.sid === "ManageProjectIam")!;
    expect(manage.resources).toEqual(["arn:aws:iam::111111111111:role/acme-*", "arn:aws:iam::111111111111:policy/acme-*", "arn:aws:iam::111111111111:instance-profile/acme-*"]);
    expect(manage.actions).not.toContain("iam:*");
    const protect = statements.find((s) => s.sid === "ProtectCiIdentity")!;
    expect(protect.effect).toBe("Deny");
    expect(protect.resources).toEqual(expect.arrayContaining(["arn:aws:iam::111111111111:role/acme-ci-deploy", "arn:aws:iam::111111111111:role/acme-ci-plan"]));
  });

  it("can be synthesized with a local backend for its very first apply", async () => {
    const local = synthJson((await buildStacks(bundledConfig(), { stackPatterns: ["bootstrap"], bootstrapBackend: "local" })).get("bootstrap")!);
    expect(local.terraform).toMatchObject({ backend: { local: { path: "./bootstrap.tfstate" } } });
  });
});

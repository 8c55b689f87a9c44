/**
 * Terraform state storage: a versioned S3 bucket encrypted with its own customer-managed key, closed to the
 * public, reachable only over TLS 1.2+, with superseded state versions expired after a retention period.
 * Terraform's S3 backend locks with a lock file in the same bucket (`use_lockfile`), so no DynamoDB table.
 *
 * Each environment's CI roles (in whatever account) reach ONLY that environment's state objects
 * (`environments/<env>/`, constructs/core/state-keys.ts): deploy roles read and write them, plan roles read them and
 * write only their lock files. The bucket and key policies grant to the roles' ACCOUNTS (which always exist) and
 * narrow to the roles by `aws:PrincipalArn`, so they apply before the roles exist (a policy naming a missing role as
 * Principal is rejected) — and an account principal keeps the bucket policy non-public, which Block Public Access
 * requires (a `*` principal conditioned on aws:PrincipalArn is not among the conditions S3 accepts as non-public: S3
 * API reference, PublicAccessBlockConfiguration). They deny each environment's roles every other object, so an
 * identity policy in the same account cannot widen the grant.
 */
import { acceptPolicyFinding } from "../policy/exceptions";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { accountRootArn, partitionOf, type AccountScope } from "../core/aws";
import { s3TlsOnlyStatements } from "../core/secure-transport";
import { environmentStatePrefix, LOCK_SUFFIX } from "../core/state-keys";

/** Incomplete multipart uploads are removed after this many days. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;
/** Newest superseded versions kept regardless of age, so a recent bad apply can always be rolled back. */
export const KEEP_NEWER_NONCURRENT_VERSIONS = 10;

export interface StateStoreProps {
  readonly account: AccountScope;
  /** Bucket name (validated by the naming helper). */
  readonly bucketName: string;
  /** KMS alias of the state key, e.g. `alias/acme-tfstate`. */
  readonly keyAlias: string;
  /** Days a superseded state version is kept (beyond the newest ten). */
  readonly noncurrentVersionRetentionDays: number;
  /**
   * Each environment's CI roles: they reach only that environment's state objects.
   * @default none (only IAM policies of the bucket's account grant access)
   */
  readonly ciAccess?: readonly EnvironmentStateAccess[];
  /**
   * `lifecycle.prevent_destroy` on the bucket and key.
   * @default true — losing state orphans every resource of every stack
   */
  readonly preventDestroy?: boolean;
}

export interface EnvironmentStateAccess {
  readonly environment: string;
  /** ARNs of the environment's plan roles (one per account holding its stacks). */
  readonly planRoleArns: readonly string[];
  /** ARNs of the environment's deploy roles. */
  readonly deployRoleArns: readonly string[];
}

const ANYONE = [{ type: "AWS", identifiers: ["*"] }];

/** The accounts of role ARNs, as principals (`arn:<partition>:iam::<account>:root`). */
function accountsOf(roleArns: readonly string[]): { type: string; identifiers: string[] }[] {
  const roots = [...new Set(roleArns.map((arn) => arn.replace(/^(arn:[^:]+:iam::\d{12}):role\/.*$/, "$1:root")))].sort();
  return [{ type: "AWS", identifiers: roots }];
}

function principalIn(arns: readonly string[]) {
  return { test: "ArnEquals", variable: "aws:PrincipalArn", values: [...arns] };
}
const OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"];

/** Bucket policy statements giving each environment's CI roles its own prefix and nothing else. */
export function stateAccessStatements(bucketArn: string, access: readonly EnvironmentStateAccess[]): DataAwsIamPolicyDocumentStatement[] {
  const all = access.flatMap((entry) => [...entry.planRoleArns, ...entry.deployRoleArns]);
  if (all.length === 0) return [];
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    { sid: "CiListsState", actions: ["s3:ListBucket"], resources: [bucketArn], principals: accountsOf(all), condition: [principalIn(all)] },
  ];
  for (const entry of access) {
    const id = entry.environment.replace(/[^A-Za-z0-9]/g, "");
    const objects = `${bucketArn}/${environmentStatePrefix(entry.environment)}*`;
    const roles = [...entry.planRoleArns, ...entry.deployRoleArns];
    statements.push(
      { sid: `${id}ReadsOwnState`, actions: ["s3:GetObject"], resources: [objects], principals: accountsOf(roles), condition: [principalIn(roles)] },
      { sid: `${id}DeployWritesOwnState`, actions: ["s3:PutObject", "s3:DeleteObject"], resources: [objects], principals: accountsOf(entry.deployRoleArns), condition: [principalIn(entry.deployRoleArns)] },
      { sid: `${id}PlanWritesOwnLocks`, actions: ["s3:PutObject", "s3:DeleteObject"], resources: [`${objects}${LOCK_SUFFIX}`], principals: accountsOf(entry.planRoleArns), condition: [principalIn(entry.planRoleArns)] },
      { sid: `${id}NoOtherState`, effect: "Deny", actions: OBJECT_ACTIONS, notResources: [objects], principals: ANYONE, condition: [principalIn(roles)] },
      { sid: `${id}PlanWritesNoState`, effect: "Deny", actions: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], notResources: [`${objects}${LOCK_SUFFIX}`], principals: ANYONE, condition: [principalIn(entry.planRoleArns)] },
    );
  }
  return statements;
}

export class StateStore extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  readonly keyAlias: string;

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);
    if (!Number.isInteger(props.noncurrentVersionRetentionDays) || props.noncurrentVersionRetentionDays < 1) {
      throw new Error(`StateStore: noncurrentVersionRetentionDays must be a positive integer, got ${props.noncurrentVersionRetentionDays}`);
    }
    const preventDestroy = props.preventDestroy ?? true;

    const bucketArn = `arn:${partitionOf(props.account.region)}:s3:::${props.bucketName}`;
    const ciRoles = (props.ciAccess ?? []).flatMap((entry) => [...entry.planRoleArns, ...entry.deployRoleArns]);
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(props.account)] }],
        },
        // CI roles of every account use the key only through S3, for this bucket (bucket key: context = bucket ARN).
        ...(ciRoles.length > 0
          ? [
              {
                sid: "CiRolesUseKeyThroughS3",
                actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                resources: ["*"],
                principals: accountsOf(ciRoles),
                condition: [
                  { test: "ArnEquals", variable: "aws:PrincipalArn", values: ciRoles },
                  { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${props.account.region}.amazonaws.com`] },
                  { test: "StringEquals", variable: "kms:EncryptionContext:aws:s3:arn", values: [bucketArn] },
                ],
              },
            ]
          : []),
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: "Terraform state encryption",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy.json,
      lifecycle: { preventDestroy },
    });
    this.keyAlias = props.keyAlias;
    new KmsAlias(this, "key-alias", { name: props.keyAlias, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy },
    });
    // Accepted exceptions (the state bucket is the first thing an empty account gets; see also the README's bootstrap).
    acceptPolicyFinding(
      this.bucket,
      "S3-BACKUP-IMMUTABLE",
      "Terraform state is versioned, keeps the newest superseded versions plus their history for stateVersionRetentionDays and is protected by prevent_destroy; an immutable cross-region copy needs a second bootstrap region, which the project does not configure",
    );
    acceptPolicyFinding(
      this.bucket,
      "BACKUP-COVERAGE",
      "the bootstrap stack has no AWS Backup plan (it holds only the state bucket and its key); state history is kept by S3 versioning",
    );
    acceptPolicyFinding(
      this.bucket,
      "ACCESS-LOGS",
      "every object-level call on Terraform state is recorded by the bootstrap account's CloudTrail trail (stack account-<bootstrap account>, detective-controls/trail: S3 data events of this bucket, delivered to the locked audit log bucket); S3 server access logs would need a log bucket that exists before bootstrap",
    );
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "bucket-policy-document", {
      statement: [...s3TlsOnlyStatements(this.bucket.arn), ...stateAccessStatements(bucketArn, props.ciAccess ?? [])],
    });
    new S3BucketPolicy(this, "bucket-policy", { bucket: this.bucket.id, policy: tlsOnly.json });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-superseded-state",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [
            { noncurrentDays: props.noncurrentVersionRetentionDays, newerNoncurrentVersions: KEEP_NEWER_NONCURRENT_VERSIONS },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS }],
        },
      ],
    });
  }
}

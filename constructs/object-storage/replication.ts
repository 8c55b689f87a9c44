/**
 * Cross-region replication of one bucket into its replica: the S3 replication role (trusted by S3 for this account
 * only, allowed to read the source's versions and write the replica, each key used only through S3 in its own
 * region) and the replication configuration (everything, delete markers included, KMS-encrypted objects
 * re-encrypted with the replica's key). Shared by the object-storage buckets and Velero's backup bucket.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import type { Construct } from "constructs";
import { servicePrincipal, type AccountScope } from "../core/aws";
import type { SecureBucket } from "./bucket";

export interface BucketReplicationProps {
  readonly account: AccountScope;
  readonly source: SecureBucket;
  readonly sourceKey: KmsKey;
  readonly replica: SecureBucket;
  readonly replicaKey: KmsKey;
  /** Region of the replica. */
  readonly region: string;
  /** Name of the replication role (from the naming helper). */
  readonly roleName: string;
  readonly description: string;
  /** Storage class of the replicated objects. @default the replica bucket's default (STANDARD) */
  readonly storageClass?: string;
}

/**
 * Adds the replication role and configuration to `scope`; construct ids are `<idPrefix>replication-*` (kept as
 * they were when each construct defined them itself, so no address moves).
 */
export function replicateBucket(scope: Construct, idPrefix: string, props: BucketReplicationProps): void {
  const { account, source, replica } = props;
  const trust = new DataAwsIamPolicyDocument(scope, `${idPrefix}replication-trust`, {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [servicePrincipal("s3")] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
      },
    ],
  });
  const role = new IamRole(scope, `${idPrefix}replication-role`, { name: props.roleName, description: props.description, assumeRolePolicy: trust.json });
  const permissions = new DataAwsIamPolicyDocument(scope, `${idPrefix}replication-permissions`, {
    statement: [
      { actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [source.arn] },
      {
        actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
        resources: [`${source.arn}/*`],
      },
      { actions: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], resources: [`${replica.arn}/*`] },
      {
        actions: ["kms:Decrypt"],
        resources: [props.sourceKey.arn],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("s3", account.region)] }],
      },
      {
        actions: ["kms:Encrypt", "kms:GenerateDataKey"],
        resources: [props.replicaKey.arn],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("s3", props.region)] }],
      },
    ],
  });
  new IamRolePolicy(scope, `${idPrefix}replication-policy`, { name: "replicate", role: role.id, policy: permissions.json });
  new S3BucketReplicationConfigurationA(scope, `${idPrefix}replication`, {
    bucket: source.bucket.id,
    role: role.arn,
    rule: [
      {
        id: "replicate-everything",
        status: "Enabled",
        priority: 1,
        filter: { prefix: "" },
        deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: {
          bucket: replica.arn,
          ...(props.storageClass ? { storageClass: props.storageClass } : {}),
          encryptionConfiguration: { replicaKmsKeyId: props.replicaKey.arn },
        },
      },
    ],
    dependsOn: [source.versioning, replica.versioning],
  });
}

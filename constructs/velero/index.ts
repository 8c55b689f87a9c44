/**
 * Velero: backups of the cluster's Kubernetes objects and EBS volume snapshots, on the schedules of the
 * environment's `backup.velero` configuration (the reference guides: daily at 01:00 kept 240 hours).
 *
 * Split along the stack boundary, joined only by deterministic names:
 * - `VeleroStorage` (in `<env>-infra`): Velero's own bucket — private, owner-enforced, KMS-encrypted with the
 *   backup key, versioned, TLS-only, noncurrent versions expired — and, where the environment has a disaster-
 *   recovery region, a replica there (object lock in governance mode, so a compromised cluster cannot erase the
 *   copies). The bucket is also selected by an AWS Backup plan (locked vault); the replica is the copy and carries
 *   a backup exemption.
 * - `Velero` (in `<env>-platform`): its namespace, a least-privilege IAM role bound to its service account with
 *   EKS Pod Identity (constructs/workload-identity), and the Helm release of the pinned chart from the catalog
 *   (charts/) with the AWS plugin, the bucket as backup storage location, EBS volume snapshots and the schedules.
 */
import { DataAwsKmsKey } from "@cdktf/provider-aws/lib/data-aws-kms-key";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import type { ChartOverrides } from "../../charts/catalog";
import { chartRelease } from "../../charts/release";
import type { VeleroScheduleConfig } from "../../config/schema/backup";
import { addonNamespace } from "../addons/common";
import { partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import type { Naming } from "../core/naming";
import { PLATFORM_NAMESPACES } from "../core/platform-contracts";
import { SecureBucket } from "../object-storage/bucket";
import { backupExemption } from "../rpo";
import { WorkloadIdentity } from "../workload-identity";
import { replicateBucket } from "../object-storage/replication";

export const VELERO_NAMESPACE = PLATFORM_NAMESPACES.velero.name;
export const VELERO_SERVICE_ACCOUNT = "velero";
export const VELERO_RELEASE = "velero";
/** Name of the backup storage location and volume snapshot location Velero is configured with. */
export const VELERO_LOCATION = "default";
/** Days an aborted multipart upload (an interrupted backup) is kept before S3 removes its parts. */
export const ABORTED_UPLOAD_DAYS = 1;

/** Velero's bucket: `<prefix>-velero`, or `<prefix>-velero-dr` for its disaster-recovery replica. */
export function veleroBucketName(naming: Naming, ...suffix: string[]): string {
  return naming.name("s3-bucket", "velero", ...suffix);
}

export interface VeleroStorageProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Key of the bucket's default encryption (the environment's backup key). */
  readonly key: KmsKey;
  /** Days superseded object versions are kept (`backup.velero.noncurrentVersionRetentionDays`). */
  readonly noncurrentVersionRetentionDays: number;
  /**
   * Replica in the disaster-recovery region, encrypted with a key of that region; its object lock keeps every
   * replicated version for `noncurrentVersionRetentionDays`.
   * @default no replica
   */
  readonly replication?: { readonly region: string; readonly key: KmsKey };
  /**
   * Bucket receiving server access logs (the environment's access-log bucket).
   * @default no access logging
   */
  readonly accessLogBucket?: { readonly id: string };
  /**
   * Access-log bucket in the replica's region (S3 logs only to a bucket of the same region).
   * @default no access logging of the replica
   */
  readonly replicaAccessLogBucket?: { readonly id: string };
  /**
   * `lifecycle.prevent_destroy` on the buckets.
   * @default true — development opts out
   */
  readonly protect?: boolean;
  /**
   * AWS Backup plan that also backs up the bucket (into the locked vault, copied with the plan's tiers), so a
   * compromised cluster cannot erase its own backups.
   * @default "default"
   */
  readonly backupPlan?: string;
}

export class VeleroStorage extends Construct {
  readonly bucket: SecureBucket;
  readonly replica?: SecureBucket;

  constructor(scope: Construct, id: string, props: VeleroStorageProps) {
    super(scope, id);
    const retention = props.noncurrentVersionRetentionDays;
    if (!Number.isInteger(retention) || retention < 1 || retention > 3650) {
      throw new Error(`VeleroStorage: noncurrentVersionRetentionDays must be an integer from 1 to 3650, got ${retention}`);
    }
    if (props.replication && props.replication.region === props.account.region) {
      throw new Error(`VeleroStorage: the replica region must differ from the bucket's region ${props.account.region}`);
    }
    const { naming, account } = props;
    const protect = props.protect ?? true;
    const name = veleroBucketName(naming);
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: name,
      kmsKey: props.key,
      versioning: true,
      objectLockEnabled: false,
      protect,
      tags: backupTag(props.backupPlan ?? DEFAULT_BACKUP_PLAN),
    });
    this.lifecycle("lifecycle", this.bucket, retention);
    if (props.accessLogBucket) {
      new S3BucketLoggingA(this, "logging", { bucket: this.bucket.bucket.id, targetBucket: props.accessLogBucket.id, targetPrefix: `s3/${name}/` });
    }

    const replication = props.replication;
    if (!replication) return;
    const replica = new SecureBucket(this, "replica", {
      bucketName: veleroBucketName(naming, "dr"),
      kmsKey: replication.key,
      versioning: true,
      objectLockEnabled: true,
      protect,
      region: replication.region,
      tags: backupExemption("Velero backup replica in the disaster-recovery region"),
    });
    this.replica = replica;
    if (props.replicaAccessLogBucket) {
      new S3BucketLoggingA(this, "replica-logging", {
        region: replication.region,
        bucket: replica.bucket.id,
        targetBucket: props.replicaAccessLogBucket.id,
        targetPrefix: `s3/${veleroBucketName(naming, "dr")}/`,
      });
    }
    new S3BucketObjectLockConfigurationA(this, "replica-object-lock", {
      bucket: replica.bucket.id,
      region: replication.region,
      rule: { defaultRetention: { mode: "GOVERNANCE", days: retention } },
      dependsOn: [replica.versioning],
    });
    this.lifecycle("replica-lifecycle", replica, retention, replication.region);

    replicateBucket(this, "", {
      account,
      source: this.bucket,
      sourceKey: props.key,
      replica,
      replicaKey: replication.key,
      region: replication.region,
      roleName: naming.name("iam-role", "s3-replication", "velero"),
      description: `Replicates ${name} to ${replication.region}`,
    });
  }

  private lifecycle(id: string, bucket: SecureBucket, noncurrentDays: number, region?: string): void {
    new S3BucketLifecycleConfiguration(this, id, {
      bucket: bucket.bucket.id,
      ...(region ? { region } : {}),
      rule: [
        {
          id: "noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: ABORTED_UPLOAD_DAYS }],
        },
      ],
      dependsOn: [bucket.versioning],
    });
  }
}

export interface VeleroProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Name of the EKS cluster Velero runs in. */
  readonly clusterName: string;
  /** Backup schedules (`backup.velero.schedules`). */
  readonly schedules: readonly VeleroScheduleConfig[];
  /** ARN of the key persistent volumes are encrypted with (restoring a snapshot creates volumes with it). */
  readonly volumeKeyArn: string;
}

export class Velero extends Construct {
  readonly namespace: NamespaceV1;
  readonly identity: WorkloadIdentity;
  readonly release: Release;
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: VeleroProps) {
    super(scope, id);
    const names = props.schedules.map((schedule) => schedule.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new Error(`Velero: duplicate schedule name "${duplicate}"; each schedule needs its own name`);
    for (const schedule of props.schedules) {
      if (!/^(\S+\s+){4}\S+$/.test(schedule.schedule)) {
        throw new Error(`Velero: schedule "${schedule.name}" has "${schedule.schedule}", expected a 5-field cron expression such as "0 1 * * *"`);
      }
      if (!/^(\d+h)?(\d+m)?(\d+s)?$/.test(schedule.ttl) || schedule.ttl === "") {
        throw new Error(`Velero: schedule "${schedule.name}" has ttl "${schedule.ttl}", expected a Go duration such as 240h`);
      }
    }
    const { naming, account } = props;
    const partition = partitionOf(account.region);
    this.bucketName = veleroBucketName(naming);
    const bucketArn = `arn:${partition}:s3:::${this.bucketName}`;
    const bucketKey = new DataAwsKmsKey(this, "bucket-key", { keyId: naming.kmsAlias("backup") });

    this.namespace = addonNamespace(this, "namespace", VELERO_NAMESPACE);
    this.identity = new WorkloadIdentity(this, "identity", {
      account,
      clusterName: props.clusterName,
      namespace: VELERO_NAMESPACE,
      serviceAccount: VELERO_SERVICE_ACCOUNT,
      roleName: naming.name("iam-role", "velero"),
      description: "Velero: backups to its bucket and EBS volume snapshots",
      statements: [
        { sid: "ListBucket", actions: ["s3:ListBucket"], resources: [bucketArn] },
        {
          sid: "BackupObjects",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          resources: [`${bucketArn}/*`],
        },
        {
          sid: "BucketKey",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [bucketKey.arn],
          condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("s3", account.region)] }],
        },
        {
          sid: "DescribeVolumesAndSnapshots",
          actions: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
          resources: ["*"],
          justification: "EC2 Describe* actions have no resource-level permissions",
        },
        {
          sid: "SnapshotVolumes",
          actions: ["ec2:CreateSnapshot"],
          resources: [`arn:${partition}:ec2:${account.region}:${account.accountId}:volume/*`, `arn:${partition}:ec2:${account.region}::snapshot/*`],
        },
        {
          sid: "RestoreVolumes",
          actions: ["ec2:CreateVolume"],
          resources: [`arn:${partition}:ec2:${account.region}:${account.accountId}:volume/*`, `arn:${partition}:ec2:${account.region}::snapshot/*`],
        },
        {
          sid: "TagOnCreate",
          actions: ["ec2:CreateTags"],
          resources: [`arn:${partition}:ec2:${account.region}:${account.accountId}:volume/*`, `arn:${partition}:ec2:${account.region}::snapshot/*`],
          condition: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["CreateSnapshot", "CreateVolume"] }],
        },
        {
          sid: "DeleteOwnSnapshots",
          actions: ["ec2:DeleteSnapshot"],
          resources: [`arn:${partition}:ec2:${account.region}::snapshot/*`],
          // Velero tags every snapshot it takes with the backup's name; it may delete only those.
          condition: [{ test: "Null", variable: "aws:ResourceTag/velero.io/backup", values: ["false"] }],
        },
        {
          sid: "EncryptedVolumes",
          actions: ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
          resources: [props.volumeKeyArn],
          condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("ec2", account.region)] }],
        },
      ],
    });

    this.release = chartRelease(this, "release", {
      chart: "velero",
      name: VELERO_RELEASE,
      namespace: VELERO_NAMESPACE,
      overrides: veleroValues(this.bucketName, account.region, props.schedules),
      dependsOn: [this.namespace, this.identity.association],
    });
  }
}

/** The chart values computed from configuration (layered over charts/values/velero.yaml). */
export function veleroValues(bucket: string, region: string, schedules: readonly VeleroScheduleConfig[]): ChartOverrides["velero"] {
  return {
    serviceAccount: { server: { create: true, name: VELERO_SERVICE_ACCOUNT } },
    configuration: {
      backupStorageLocation: [{ name: VELERO_LOCATION, provider: "aws", bucket, default: true, config: { region } }],
      volumeSnapshotLocation: [{ name: VELERO_LOCATION, provider: "aws", config: { region } }],
    },
    snapshotsEnabled: schedules.some((schedule) => schedule.snapshotVolumes),
    schedules: Object.fromEntries(
      schedules.map((schedule) => [
        schedule.name,
        {
          disabled: false,
          schedule: schedule.schedule,
          useOwnerReferencesInBackup: false,
          template: {
            ttl: schedule.ttl,
            storageLocation: VELERO_LOCATION,
            includedNamespaces: schedule.includedNamespaces,
            excludedNamespaces: schedule.excludedNamespaces,
            snapshotVolumes: schedule.snapshotVolumes,
            volumeSnapshotLocations: schedule.snapshotVolumes ? [VELERO_LOCATION] : [],
          },
        },
      ]),
    ),
  };
}

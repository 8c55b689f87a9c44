/**
 * The object storage of an environment: the buckets its configuration declares (uploads, static sites, documents,
 * audit archives, ...) and the access-log bucket they log to.
 *
 * Every declared bucket is private (owner-enforced ownership, full public access block), encrypted by default with
 * the data key, TLS-only (bucket policy), versioned unless configured otherwise, and gets lifecycle rules from
 * configuration (transitions, expiration, noncurrent versions, incomplete uploads), server access logging, the
 * backup tag, and optionally object lock (mode + retention, e.g. a 7-year COMPLIANCE archive) and cross-region
 * replication to a bucket encrypted with a key in the destination region. Protected environments add
 * `prevent_destroy`; no bucket is ever `force_destroy`.
 *
 * The access-log bucket uses SSE-S3, because S3 server access logging cannot write to SSE-KMS buckets; replicas
 * log to an access-log bucket in their own Region (server access logs never cross Regions).
 * Buckets are named `naming.name("s3-bucket", <name>)`: workloads derive them with `bucketName()`.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketObjectLockConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../../config/schema/primitives";
import { accountRootArn, partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import type { Naming } from "../core/naming";
import { publishConnection, type PublishedConnection } from "../data-access";
import { throwIfProblems } from "../data-access/problems";
import { SecureBucket } from "./bucket";
import { bucketProblems, type BucketSettings } from "./rules";
import { replicateBucket } from "./replication";

export * from "./rules";
export { SecureBucket } from "./bucket";

/** Name of the bucket `name` declared in configuration (what workloads use to find it). */
export function bucketName(naming: Naming, name: string): string {
  return naming.name("s3-bucket", name);
}

/** Name of the replica of bucket `name`. */
export function replicaBucketName(naming: Naming, name: string): string {
  return naming.name("s3-bucket", name, "replica");
}

/** Name of the environment's access-log bucket. */
export function accessLogBucketName(naming: Naming): string {
  return naming.name("s3-bucket", "access-logs");
}

/**
 * The access-log bucket a stack's load balancers, CloudFront distributions and buckets log to: it exists whenever
 * access logging is on (ObjectStorage creates it in the infra stack, whether or not data buckets are declared,
 * because the ALB and Velero's buckets log there too).
 */
export function environmentAccessLogBucket(storage: { readonly accessLogs: { readonly enabled: boolean } }, naming: Naming): string | undefined {
  return storage.accessLogs.enabled ? accessLogBucketName(naming) : undefined;
}

export const HTTPS_PORT = 443;
/** Prefix load balancer access logs are written under in the access-log bucket (see constructs/workload/ingress.ts). */
export const LOAD_BALANCER_LOG_PREFIX = "alb";
/**
 * Elastic Load Balancing accounts that deliver access logs in Regions opened before August 2022 (newer Regions use
 * the log delivery service principal only).
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "eu-south-1": "635631232127",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
};
/** Key deletion window of replica keys unless configured. */
export const DEFAULT_REPLICA_KEY_DELETION_DAYS = 30;

export interface DataBucketConfig extends BucketSettings {
  /**
   * Backup plan that selects the bucket (value of the `platform:backup` tag).
   * @default "default"
   */
  readonly backupPlan?: string;
}

export interface ObjectStorageProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Buckets by configuration name (the name is part of the bucket name and of construct ids). */
  readonly buckets: Readonly<Record<string, DataBucketConfig>>;
  /** Customer-managed key of every declared bucket (the data key). */
  readonly encryptionKey: KmsKey;
  /** Server access logging of every declared bucket into the environment's access-log bucket. */
  readonly accessLogs: {
    readonly enabled: boolean;
    /** Days access logs are kept (a CloudWatch-style retention value, for consistency with log groups). */
    readonly retentionDays: number;
  };
  /**
   * `prevent_destroy` on buckets and replica keys.
   * @default true — environments opt out explicitly (development)
   */
  readonly protectState?: boolean;
  /**
   * Deletion window of the keys created in replication regions.
   * @default 30
   */
  readonly replicaKeyDeletionWindowDays?: number;
}

/** A declared bucket with what was created for it. */
export interface DataBucket {
  readonly name: string;
  readonly settings: DataBucketConfig;
  readonly bucket: SecureBucket;
  readonly replica?: SecureBucket;
  readonly connection: PublishedConnection;
  readonly connectionParameter: SsmParameter;
}

export class ObjectStorage extends Construct {
  private readonly regionalLogs: Record<string, SecureBucket> = {};
  readonly buckets: Readonly<Record<string, DataBucket>>;
  /** Receives S3 server access logs (and CloudFront logs); absent when access logging is off. */
  readonly accessLogBucket?: SecureBucket;
  /** Keys created in replication regions, by region. */
  readonly replicaKeys: Readonly<Record<string, KmsKey>>;
  private readonly props: ObjectStorageProps;
  private readonly protect: boolean;

  constructor(scope: Construct, id: string, props: ObjectStorageProps) {
    super(scope, id);
    const problems = Object.entries(props.buckets).flatMap(([name, settings]) =>
      bucketProblems(name, settings).map((problem) => ({ ...problem, path: [name, ...problem.path] })),
    );
    for (const [name, settings] of Object.entries(props.buckets)) {
      if (settings.replication?.region === props.account.region) {
        problems.push({ path: [name, "replication", "region"], message: `must differ from the bucket's own region ${props.account.region}`, value: settings.replication.region });
      }
    }
    if (props.accessLogs.enabled && !(LOG_RETENTION_DAYS as readonly number[]).includes(props.accessLogs.retentionDays)) {
      problems.push({ path: ["accessLogs", "retentionDays"], message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`, value: props.accessLogs.retentionDays });
    }
    throwIfProblems("ObjectStorage", problems);
    this.props = props;
    this.protect = props.protectState ?? true;
    const { naming } = props;

    if (props.accessLogs.enabled) {
      this.accessLogBucket = this.createAccessLogBucket();
    }

    const replicaKeys: Record<string, KmsKey> = {};
    const regionalLogs = this.regionalLogs;
    const buckets: Record<string, DataBucket> = {};
    for (const [name, settings] of Object.entries(props.buckets)) {
      const bucket = new SecureBucket(this, `bucket-${name}`, {
        bucketName: bucketName(naming, name),
        kmsKey: props.encryptionKey,
        versioning: settings.versioning,
        objectLockEnabled: settings.objectLock !== undefined,
        protect: this.protect,
        tags: backupTag(settings.backupPlan ?? DEFAULT_BACKUP_PLAN),
      });
      this.configureLifecycle(name, bucket, settings);
      if (settings.objectLock) {
        new S3BucketObjectLockConfigurationA(this, `bucket-${name}-object-lock`, {
          bucket: bucket.bucket.id,
          rule: { defaultRetention: { mode: settings.objectLock.mode, days: settings.objectLock.retentionDays } },
          dependsOn: [bucket.versioning],
        });
      }
      if (this.accessLogBucket) {
        new S3BucketLoggingA(this, `bucket-${name}-logging`, {
          bucket: bucket.bucket.id,
          targetBucket: this.accessLogBucket.bucket.id,
          targetPrefix: `s3/${bucketName(naming, name)}/`,
        });
      }
      let replica: SecureBucket | undefined;
      if (settings.replication) {
        const region = settings.replication.region;
        replicaKeys[region] ??= this.createReplicaKey(region);
        replica = this.replicate(name, bucket, settings, replicaKeys[region] as KmsKey);
        if (this.accessLogBucket) {
          // Server access logs must go to a bucket of the same Region.
          regionalLogs[region] ??= this.createAccessLogBucket(region);
          new S3BucketLoggingA(this, `bucket-${name}-replica-logging`, {
            region,
            bucket: replica.bucket.id,
            targetBucket: (regionalLogs[region] as SecureBucket).bucket.id,
            targetPrefix: `s3/${replicaBucketName(naming, name)}/`,
          });
        }
      }
      const connection: PublishedConnection = {
        kind: "s3",
        name,
        host: bucket.bucket.bucketRegionalDomainName,
        port: HTTPS_PORT,
        tls: true,
        iamAuth: true,
      };
      buckets[name] = {
        name,
        settings,
        bucket,
        ...(replica ? { replica } : {}),
        connection,
        connectionParameter: publishConnection(this, `bucket-${name}-connection`, naming, connection),
      };
    }
    this.buckets = buckets;
    this.replicaKeys = replicaKeys;
  }

  /** The declared bucket `name`; throws naming the declared ones when it does not exist. */
  bucket(name: string): DataBucket {
    const found = this.buckets[name];
    if (!found) {
      throw new Error(`ObjectStorage: no bucket "${name}" is declared; declared: ${Object.keys(this.buckets).join(", ") || "(none)"}`);
    }
    return found;
  }

  /**
   * The access-log bucket of `region` (server access logs must go to a bucket of the same region), created on
   * first use; undefined when access logging is off.
   */
  accessLogBucketIn(region: string): SecureBucket | undefined {
    if (!this.accessLogBucket) return undefined;
    if (region === this.props.account.region) return this.accessLogBucket;
    this.regionalLogs[region] ??= this.createAccessLogBucket(region);
    return this.regionalLogs[region];
  }

  private createAccessLogBucket(region?: string): SecureBucket {
    const { naming, account } = this.props;
    const id = region ? `access-logs-${region}` : "access-logs";
    const logs = new SecureBucket(this, id, {
      bucketName: region ? naming.name("s3-bucket", "access-logs", region) : accessLogBucketName(naming),
      versioning: true,
      objectLockEnabled: false,
      protect: this.protect,
      ...(region ? { region } : {}),
    });
    logs.addPolicyStatements({
      sid: "AllowServerAccessLogDelivery",
      actions: ["s3:PutObject"],
      resources: [`${logs.arn}/s3/*`],
      principals: [{ type: "Service", identifiers: [servicePrincipal("logging.s3")] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
    });
    if (!region) {
      // Load balancer access logs (ingresses write under alb/): the log delivery service, and in Regions older than
      // August 2022 the Region's Elastic Load Balancing account, which is how those Regions deliver.
      const elbAccount = ELB_LOG_DELIVERY_ACCOUNTS[account.region];
      logs.addPolicyStatements({
        sid: "AllowLoadBalancerAccessLogs",
        actions: ["s3:PutObject"],
        resources: [`${logs.arn}/${LOAD_BALANCER_LOG_PREFIX}/*`],
        principals: [
          { type: "Service", identifiers: [servicePrincipal("logdelivery.elasticloadbalancing")] },
          ...(elbAccount ? [{ type: "AWS", identifiers: [`arn:${partitionOf(account.region)}:iam::${elbAccount}:root`] }] : []),
        ],
      });
    }
    new S3BucketLifecycleConfiguration(this, `${id}-lifecycle`, {
      bucket: logs.bucket.id,
      ...(region ? { region } : {}),
      rule: [
        {
          id: "expire-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: this.props.accessLogs.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [logs.versioning],
    });
    return logs;
  }

  private configureLifecycle(name: string, bucket: SecureBucket, settings: BucketSettings): void {
    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: "abort-incomplete-uploads",
        status: "Enabled",
        filter: [{ prefix: "" }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: settings.abortIncompleteUploadDays }],
      },
    ];
    if (settings.transitions.length > 0 || settings.expirationDays !== undefined) {
      rules.push({
        id: "current-versions",
        status: "Enabled",
        filter: [{ prefix: "" }],
        ...(settings.transitions.length > 0
          ? { transition: settings.transitions.map((transition) => ({ days: transition.days, storageClass: transition.storageClass })) }
          : {}),
        ...(settings.expirationDays !== undefined ? { expiration: [{ days: settings.expirationDays }] } : {}),
      });
    }
    if (settings.versioning) {
      rules.push({
        id: "noncurrent-versions",
        status: "Enabled",
        filter: [{ prefix: "" }],
        noncurrentVersionExpiration: [{ noncurrentDays: settings.noncurrentVersionExpirationDays }],
      });
    }
    new S3BucketLifecycleConfiguration(this, `bucket-${name}-lifecycle`, {
      bucket: bucket.bucket.id,
      rule: rules,
      dependsOn: [bucket.versioning],
    });
  }

  private createReplicaKey(region: string): KmsKey {
    const { naming, account } = this.props;
    const policy = new DataAwsIamPolicyDocument(this, `replica-key-${region}-policy`, {
      statement: [
        {
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
        },
      ],
    });
    const key = new KmsKey(this, `replica-key-${region}`, {
      region,
      description: `${naming.prefix} bucket replicas in ${region}`,
      enableKeyRotation: true,
      deletionWindowInDays: this.props.replicaKeyDeletionWindowDays ?? DEFAULT_REPLICA_KEY_DELETION_DAYS,
      policy: policy.json,
      lifecycle: { preventDestroy: this.protect },
    });
    new KmsAlias(this, `replica-key-${region}-alias`, { region, name: naming.kmsAlias(`replica-${region}`), targetKeyId: key.keyId });
    return key;
  }

  private replicate(name: string, source: SecureBucket, settings: BucketSettings, replicaKey: KmsKey): SecureBucket {
    const { naming, account, encryptionKey } = this.props;
    const replication = settings.replication as NonNullable<BucketSettings["replication"]>;
    const replica = new SecureBucket(this, `bucket-${name}-replica`, {
      bucketName: replicaBucketName(naming, name),
      kmsKey: replicaKey,
      versioning: true,
      objectLockEnabled: settings.objectLock !== undefined,
      protect: this.protect,
      region: replication.region,
    });
    replicateBucket(this, `bucket-${name}-`, {
      account,
      source,
      sourceKey: encryptionKey,
      replica,
      replicaKey,
      region: replication.region,
      roleName: naming.name("iam-role", "s3-replication", name),
      description: `Replicates bucket ${name} to ${replication.region}`,
      ...(replication.storageClass ? { storageClass: replication.storageClass } : {}),
    });
    return replica;
  }
}

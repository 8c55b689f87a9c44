/**
 * The log pipeline of one cluster, chosen in configuration (`observability.logs.backend`):
 *
 * - Fluent Bit as a DaemonSet on every node: tails every container's log (Docker and CRI formats), adds the pod's
 *   Kubernetes metadata and parses JSON application logs into fields (`Merge_Log`), so structured logs stay
 *   queryable by field.
 * - `loki`: Loki in single-binary mode storing chunks and index in its own S3 bucket (versioned, encrypted with the
 *   environment's data key, TLS-only, expiring objects after the retention) through its own IAM role (EKS Pod
 *   Identity); the compactor deletes logs older than the retention.
 * - `opensearch`: the environment's OpenSearch domain (the EFK layout of two reference guides), written to with
 *   SigV4 by Fluent Bit's own role; daily `logs-*` indices.
 *
 * Both releases render everything from chart values; nothing needs a CRD at plan time.
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsKmsKey } from "@cdktf/provider-aws/lib/data-aws-kms-key";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";
import type { FluentBitOverrides, LokiOverrides } from "../../charts/overrides";
import { chartRelease } from "../../charts/release";
import { LOG_BACKENDS, type LogBackend } from "../../config/schema/observability";
import { dnsSuffixOf, partitionOf, type AccountScope } from "../core/aws";
import { connectionParameterName } from "../core/connections";
import { LOG_INDEX_PREFIX } from "../core/data-users";
import type { Naming } from "../core/naming";
import { DEFAULT_STORAGE_CLASS, PLATFORM_NAMESPACES } from "../core/platform-contracts";
import { searchAccessTag } from "../opensearch";
import { WorkloadIdentity, type WorkloadPolicyStatement } from "../workload-identity";

export const LOGGING_NAMESPACE = PLATFORM_NAMESPACES.logging.name;
export const LOKI_RELEASE = "loki";
export const FLUENT_BIT_RELEASE = "fluent-bit";
export const LOKI_SERVICE_ACCOUNT = "loki";
export const FLUENT_BIT_SERVICE_ACCOUNT = "fluent-bit";
/** Loki's gateway Service (release `loki`), the URL Fluent Bit pushes to and Grafana queries. */
export const LOKI_GATEWAY_HOST = `loki-gateway.${LOGGING_NAMESPACE}.svc.cluster.local`;
export const LOKI_URL = `http://${LOKI_GATEWAY_HOST}`;
/** Memberlist Service of the release (the ring of Loki replicas). */
export const LOKI_MEMBERLIST_HOST = `loki-memberlist.${LOGGING_NAMESPACE}.svc.cluster.local`;
/** Loki keeps at most three copies of a stream, whatever the replica count. */
export const MAX_REPLICATION_FACTOR = 3;
/** Date the current index schema (TSDB, v13) starts; a future schema change adds an entry, never edits this one. */
export const LOKI_SCHEMA_FROM = "2025-01-01";
/** Objects outlive the compactor's retention by this much before the bucket lifecycle removes them. */
export const LIFECYCLE_GRACE_DAYS = 1;
/** Prefix of the daily OpenSearch indices (`logs-YYYY.MM.DD`; constructs/core/data-users.ts LOG_INDEX_PREFIX). */
export const OPENSEARCH_INDEX_PREFIX = LOG_INDEX_PREFIX.slice(0, -1);
export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

/**
 * Pod Security admission of the logging namespace: Fluent Bit reads /var/log of its node through a hostPath
 * volume, which only the privileged level admits. Restricted is audited and warned.
 */
export const LOGGING_POD_SECURITY = "privileged";

export interface LokiSettings {
  /** Single-binary replicas. */
  readonly replicas: number;
  /** Persistent volume per replica (write-ahead log, index cache). */
  readonly storageGiB: number;
}

export interface LoggingProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  readonly backend: LogBackend;
  /** Days logs are kept. */
  readonly retentionDays: number;
  /** Required for backend loki. */
  readonly loki?: LokiSettings;
  /**
   * Required for backend opensearch: the data service (its connection parameter gives the endpoint) and its
   * domain name (what Fluent Bit's role may write to).
   */
  readonly opensearch?: { readonly serviceName: string; readonly domainName: string };
  /**
   * Bucket receiving the Loki bucket's S3 server access logs (the environment's access-log bucket, by name).
   * @default none — no server access logs (environments without an access-log bucket)
   */
  readonly accessLogBucket?: string;
  /**
   * `lifecycle.prevent_destroy` on the Loki bucket.
   * @default true — environments opt out explicitly (development, see protectsState())
   */
  readonly protectState?: boolean;
  /** Releases the pipeline needs first (the default StorageClass). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

export type { FluentBitOverrides, LokiOverrides };

export class LoggingError extends Error {}

/** Name of Fluent Bit's IAM role (mapped to the `platform-logs` role of an OpenSearch log backend). */
export function fluentBitRoleName(naming: Naming): string {
  return naming.name("iam-role", "fluent-bit");
}

export function loggingProblems(props: LoggingProps): string[] {
  const problems: string[] = [];
  if (!(LOG_BACKENDS as readonly string[]).includes(props.backend)) problems.push(`backend "${props.backend}" is not one of ${LOG_BACKENDS.join(", ")}`);
  if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1 || props.retentionDays > 3650) {
    problems.push(`retentionDays ${props.retentionDays} must be a whole number of days from 1 to 3650`);
  }
  if (props.backend === "loki") {
    if (!props.loki) problems.push("backend loki needs loki settings (replicas, storageGiB)");
    else {
      if (!Number.isInteger(props.loki.replicas) || props.loki.replicas < 1 || props.loki.replicas > 7) problems.push(`loki.replicas ${props.loki.replicas} must be from 1 to 7`);
      if (!Number.isInteger(props.loki.storageGiB) || props.loki.storageGiB < 1) problems.push(`loki.storageGiB ${props.loki.storageGiB} must be a positive whole number`);
    }
    if (props.opensearch) problems.push("opensearch settings apply to backend opensearch only");
  }
  if (props.backend === "opensearch" && !props.opensearch) problems.push("backend opensearch needs the opensearch data service (serviceName, domainName)");
  return problems;
}

/** Loki's configuration (rendered by the chart as-is: it contains no template expressions). */
export function lokiConfig(input: { region: string; bucket: string; retentionDays: number; replicas: number }): Record<string, unknown> {
  return {
    auth_enabled: false,
    server: { http_listen_port: 3100, grpc_listen_port: 9095, log_level: "info" },
    memberlist: { join_members: [LOKI_MEMBERLIST_HOST] },
    common: {
      path_prefix: "/var/loki",
      replication_factor: Math.min(input.replicas, MAX_REPLICATION_FACTOR),
      // Credentials come from the pod's EKS Pod Identity role; objects are encrypted by the bucket's default key.
      storage: { s3: { region: input.region, bucketnames: input.bucket, s3forcepathstyle: false, insecure: false } },
    },
    schema_config: lokiSchemaConfig(),
    storage_config: { tsdb_shipper: { active_index_directory: "/var/loki/tsdb-index", cache_location: "/var/loki/tsdb-cache" } },
    limits_config: {
      retention_period: `${input.retentionDays * 24}h`,
      reject_old_samples: true,
      reject_old_samples_max_age: "168h",
      max_cache_freshness_per_query: "10m",
      split_queries_by_interval: "15m",
      query_timeout: "300s",
      volume_enabled: true,
    },
    compactor: { working_directory: "/var/loki/compactor", retention_enabled: true, delete_request_store: "s3" },
    ruler: { storage: { type: "local", local: { directory: "/var/loki/rules" } } },
    analytics: { reporting_enabled: false },
  };
}

export function lokiSchemaConfig(): Record<string, unknown> {
  return {
    configs: [{ from: LOKI_SCHEMA_FROM, store: "tsdb", object_store: "s3", schema: "v13", index: { prefix: "index_", period: "24h" } }],
  };
}

/** Fluent Bit pipeline: container logs, Kubernetes metadata with JSON parsing, one output. */
export function fluentBitConfig(output: string): FluentBitOverrides["config"] {
  return {
    inputs: [
      "[INPUT]",
      "    Name tail",
      "    Path /var/log/containers/*.log",
      "    multiline.parser docker, cri",
      "    Tag kube.*",
      "    DB /var/log/flb_kube.db",
      "    Mem_Buf_Limit 10MB",
      "    Skip_Long_Lines On",
      "",
    ].join("\n"),
    filters: [
      "[FILTER]",
      "    Name kubernetes",
      "    Match kube.*",
      // Application logs that are JSON become fields of the record; the raw line is dropped once parsed.
      "    Merge_Log On",
      "    Keep_Log Off",
      "    K8S-Logging.Parser On",
      "    K8S-Logging.Exclude On",
      "    Labels On",
      "    Annotations Off",
      "",
    ].join("\n"),
    outputs: output,
  };
}

export function lokiOutput(): string {
  return [
    "[OUTPUT]",
    "    Name loki",
    "    Match kube.*",
    `    Host ${LOKI_GATEWAY_HOST}`,
    `    Port ${HTTP_PORT}`,
    "    Labels job=fluent-bit, namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], container=$kubernetes['container_name']",
    "    Remove_Keys kubernetes, stream",
    "    Line_Format json",
    "    Retry_Limit 10",
    "",
  ].join("\n");
}

export function openSearchOutput(host: string, region: string): string {
  return [
    "[OUTPUT]",
    "    Name opensearch",
    "    Match kube.*",
    `    Host ${host}`,
    `    Port ${HTTPS_PORT}`,
    "    tls On",
    "    tls.verify On",
    "    AWS_Auth On",
    `    AWS_Region ${region}`,
    "    Logstash_Format On",
    `    Logstash_Prefix ${OPENSEARCH_INDEX_PREFIX}`,
    "    Suppress_Type_Name On",
    "    Replace_Dots On",
    "    Trace_Error On",
    "    Retry_Limit 10",
    "",
  ].join("\n");
}

export class Logging extends Construct {
  readonly namespace: NamespaceV1;
  readonly fluentBit: Release;
  readonly loki?: Release;
  readonly bucket?: S3Bucket;
  readonly identities: { readonly loki?: WorkloadIdentity; readonly fluentBit?: WorkloadIdentity };
  /** URL Grafana queries logs at (backend loki). */
  readonly lokiUrl?: string;

  constructor(scope: Construct, id: string, props: LoggingProps) {
    super(scope, id);
    const problems = loggingProblems(props);
    if (problems.length > 0) throw new LoggingError(`Logging ${id}:\n  - ${problems.join("\n  - ")}`);
    const { account, naming, clusterName } = props;
    const partition = partitionOf(account.region);

    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: LOGGING_NAMESPACE,
        labels: {
          "app.kubernetes.io/managed-by": "cdktf",
          "pod-security.kubernetes.io/enforce": LOGGING_POD_SECURITY,
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    const after = [this.namespace, ...(props.dependsOn ?? [])];
    const identity = (name: string, serviceAccount: string, statements: WorkloadPolicyStatement[], tags?: Record<string, string>) =>
      new WorkloadIdentity(this, `${name}-identity`, {
        account,
        clusterName,
        namespace: LOGGING_NAMESPACE,
        serviceAccount,
        roleName: naming.name("iam-role", name),
        statements,
        ...(tags ? { tags } : {}),
      });

    let output: string;
    let fluentBitIdentity: WorkloadIdentity | undefined;
    if (props.backend === "loki") {
      const settings = props.loki as LokiSettings;
      const dataKey = new DataAwsKmsKey(this, "data-key", { keyId: naming.kmsAlias("data") });
      const bucketName = naming.name("s3-bucket", "loki", account.accountId, account.region);
      const bucket = this.lokiBucket(bucketName, dataKey.arn, props);
      const lokiIdentity = identity("loki", LOKI_SERVICE_ACCOUNT, [
        { sid: "ListBucket", actions: ["s3:ListBucket"], resources: [bucket.arn] },
        { sid: "ReadWriteObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucket.arn}/*`] },
        {
          sid: "UseDataKeyThroughS3",
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [dataKey.arn],
          condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${account.region}.${dnsSuffixOf(account.region)}`] }],
        },
      ]);
      const overrides: LokiOverrides = {
        loki: {
          config: stringify(lokiConfig({ region: account.region, bucket: bucketName, retentionDays: props.retentionDays, replicas: settings.replicas }), { lineWidth: 0 }),
          schemaConfig: lokiSchemaConfig(),
        },
        serviceAccount: { create: true, name: LOKI_SERVICE_ACCOUNT },
        singleBinary: { replicas: settings.replicas, persistence: { enabled: true, size: `${settings.storageGiB}Gi`, storageClass: DEFAULT_STORAGE_CLASS } },
      };
      this.loki = chartRelease(this, "loki", {
        chart: "loki",
        name: LOKI_RELEASE,
        namespace: LOGGING_NAMESPACE,
        overrides,
        dependsOn: [...after, lokiIdentity.association, bucket],
      });
      this.bucket = bucket;
      this.lokiUrl = LOKI_URL;
      this.identities = { loki: lokiIdentity };
      output = lokiOutput();
    } else {
      const search = props.opensearch as NonNullable<LoggingProps["opensearch"]>;
      const connection = new DataAwsSsmParameter(this, "opensearch-connection", { name: connectionParameterName(naming, search.serviceName) });
      const host = Fn.lookup(Fn.jsondecode(connection.value), "host", "");
      // The domain admits the role by its access tag; inside OpenSearch it may write logs-* only (constructs/search-role).
      const tag = searchAccessTag(search.serviceName);
      fluentBitIdentity = identity(
        "fluent-bit",
        FLUENT_BIT_SERVICE_ACCOUNT,
        [
          {
            sid: "WriteLogIndices",
            actions: ["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"],
            resources: [`arn:${partition}:es:${account.region}:${account.accountId}:domain/${search.domainName}/*`],
          },
        ],
        { [tag.key]: tag.value },
      );
      this.identities = { fluentBit: fluentBitIdentity };
      output = openSearchOutput(host, account.region);
    }

    this.fluentBit = chartRelease(this, "fluent-bit", {
      chart: "fluent-bit",
      name: FLUENT_BIT_RELEASE,
      namespace: LOGGING_NAMESPACE,
      overrides: { serviceAccount: { create: true, name: FLUENT_BIT_SERVICE_ACCOUNT }, config: fluentBitConfig(output) },
      dependsOn: [...after, ...(this.loki ? [this.loki] : []), ...(fluentBitIdentity ? [fluentBitIdentity.association] : [])],
    });
  }

  /** Loki's bucket: private, versioned, TLS-only, encrypted with the data key, objects expire after the retention. */
  private lokiBucket(name: string, keyArn: string, props: LoggingProps): S3Bucket {
    const protect = props.protectState ?? true;
    const bucket = new S3Bucket(this, "bucket", { bucket: name, forceDestroy: !protect, lifecycle: { preventDestroy: protect } });
    new S3BucketOwnershipControls(this, "bucket-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "bucket-public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const versioning = new S3BucketVersioningA(this, "bucket-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "bucket-encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, "bucket-lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-after-retention",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: props.retentionDays + LIFECYCLE_GRACE_DAYS }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      dependsOn: [versioning],
    });
    const arn = bucket.arn;
    const policy = new DataAwsIamPolicyDocument(this, "bucket-policy-document", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["s3:*"],
          resources: [arn, `${arn}/*`],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        {
          sid: "DenyOutdatedTls",
          effect: "Deny",
          actions: ["s3:*"],
          resources: [arn, `${arn}/*`],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "bucket-policy", { bucket: bucket.id, policy: policy.json, dependsOn: [publicAccessBlock] });
    if (props.accessLogBucket) {
      new S3BucketLoggingA(this, "bucket-logging", { bucket: bucket.id, targetBucket: props.accessLogBucket, targetPrefix: `s3/${name}/` });
    }
    return bucket;
  }
}

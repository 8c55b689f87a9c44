/**
 * The log pipeline of one cluster, chosen in configuration (`observability.logs.backend`):
 *
 * - Fluent Bit as a DaemonSet on every node: tails every container's log (Docker and CRI formats), adds the pod's
 *   Kubernetes metadata and parses JSON application logs into fields (`Merge_Log`), so structured logs stay
 *   queryable by field. Product pods carry their log prefix and retention class as labels (LOG_LABELS): Loki streams
 *   get `app` and `log_class`, OpenSearch indices are `<prefix>-<class>-YYYY.MM.DD` (the platform's own pods:
 *   `platform-infrastructure-...`).
 * - Retention per class: `application` (product workloads), `infrastructure` (the platform's own pods) and `audit`.
 *   Loki keeps each class its own time (per-stream retention); the bucket keeps objects as long as the longest.
 * - With an audit archive, Fluent Bit also copies every audit-class record to a bucket under object lock (S3 output with
 *   Content-MD5, which object lock requires), through its own role allowed to write under the archive's prefix only.
 * - `loki`: Loki in single-binary mode storing chunks and index in its own S3 bucket (versioned, encrypted with the
 *   environment's data key, TLS-only, expiring objects after the retention) through its own IAM role (EKS Pod
 *   Identity); the compactor deletes logs older than the retention.
 * - `opensearch`: the environment's OpenSearch domain (the EFK layout of two reference guides), written to with
 *   SigV4 by Fluent Bit's own role; daily indices per product and class. Retention there is an Index State Management
 *   policy per class pattern (`logs-*-application-*`, `logs-*-infrastructure-*`, `logs-*-audit-*`), which needs the domain's API:
 *   the platform does not create it (see the README).
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
import { podSecurityMetadata } from "../core/pod-security";
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
import { DEFAULT_STORAGE_CLASS, LOG_LABELS, PLATFORM_NAMESPACES } from "../core/platform-contracts";
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
/**
 * Index prefix of records without a product's labels: the platform's own pods (`logs-platform-infrastructure-YYYY.MM.DD`).
 * Every index Fluent Bit writes starts with LOG_INDEX_PREFIX (`logs-`, constructs/core/data-users.ts): the only pattern
 * its OpenSearch role admits (constructs/search-role), which no product instance's prefix can cover (config/loader.ts).
 */
export const OPENSEARCH_INDEX_PREFIX = `${LOG_INDEX_PREFIX}platform-infrastructure`;
/** Loki labels of the product's log prefix and retention class. */
export const LOKI_APP_LABEL = "app";
export const LOKI_CLASS_LABEL = "log_class";
/** Tag prefix of the audit records Fluent Bit copies to the archive. */
export const AUDIT_TAG_PREFIX = "audit";
/** Where Fluent Bit buffers archive uploads: on the node (hostPath /var/log), so a restart loses nothing. */
export const AUDIT_BUFFER_DIR = "/var/log/flb-audit-archive";
export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

/**
 * Pod Security admission of the logging namespace: Fluent Bit reads /var/log of its node through a hostPath
 * volume, which only the privileged level admits. Restricted is audited and warned.
 */
export const LOGGING_POD_SECURITY = "privileged";
/** Recorded on the namespace (policy rule K8S-NS-PRIVILEGED-REASON). */
export const LOGGING_PRIVILEGED_REASON =
  "Fluent Bit (a DaemonSet) reads container logs under /var/log of its node through a hostPath volume; every other pod here is audited and warned at restricted";

export interface LokiSettings {
  /** Single-binary replicas. */
  readonly replicas: number;
  /** Persistent volume per replica (write-ahead log, index cache). */
  readonly storageGiB: number;
}

/** Days logs stay searchable, per class (observability.logs.retention). */
export interface LogRetention {
  readonly application: number;
  readonly infrastructure: number;
  readonly audit: number;
}

/** The object-locked bucket audit logs are copied to (a bucket of the environment's storage). */
export interface AuditArchive {
  readonly bucketName: string;
  /** Key prefix, ending with '/'. */
  readonly prefix: string;
}

export interface LoggingProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  readonly backend: LogBackend;
  /** Days logs are kept, per class. */
  readonly retention: LogRetention;
  /**
   * Copy audit-class logs to this object-locked bucket (encrypted with the environment's data key).
   * @default none: audit logs are kept only in the backend, for retention.audit
   */
  readonly auditArchive?: AuditArchive;
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
  for (const [what, days] of Object.entries(props.retention)) {
    if (!Number.isInteger(days) || days < 1 || days > 3650) problems.push(`retention.${what} ${days} must be a whole number of days from 1 to 3650`);
  }
  if (props.auditArchive) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.auditArchive.bucketName)) problems.push(`auditArchive.bucketName "${props.auditArchive.bucketName}" is not an S3 bucket name`);
    if (!/^([a-z0-9][a-z0-9._-]*\/)+$/.test(props.auditArchive.prefix)) problems.push(`auditArchive.prefix "${props.auditArchive.prefix}" must be segments ending with '/'`);
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
/** Hours of a retention in days, as Loki reads durations. */
function hours(days: number): string {
  return `${days * 24}h`;
}

/** The longest retention of any class: how long the bucket keeps objects. */
export function longestRetention(retention: LogRetention): number {
  return Math.max(retention.application, retention.infrastructure, retention.audit);
}

export function lokiConfig(input: { region: string; bucket: string; retention: LogRetention; replicas: number }): Record<string, unknown> {
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
      // Streams without a product's class label are the platform's own (infrastructure); the products' streams carry
      // log_class and get their class's retention.
      retention_period: hours(input.retention.infrastructure),
      retention_stream: [
        { selector: `{${LOKI_CLASS_LABEL}="application"}`, priority: 1, period: hours(input.retention.application) },
        { selector: `{${LOKI_CLASS_LABEL}="audit"}`, priority: 2, period: hours(input.retention.audit) },
      ],
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

/** A record accessor of a pod label in Fluent Bit's Kubernetes metadata. */
export function labelAccessor(label: string): string {
  return `$kubernetes['labels']['${label}']`;
}

/** Fluent Bit pipeline: container logs, Kubernetes metadata with JSON parsing, the backend's output (and the archive's). */
export function fluentBitConfig(output: string, archive?: { readonly archive: AuditArchive; readonly region: string }): FluentBitOverrides["config"] {
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
      // Audit records are copied (keep: true) under a tag of their own, which only the archive's output matches.
      ...(archive
        ? [
            "[FILTER]",
            "    Name rewrite_tag",
            "    Match kube.*",
            `    Rule ${labelAccessor(LOG_LABELS.class)} ^audit$ ${AUDIT_TAG_PREFIX}.$TAG true`,
            "    Emitter_Name audit_archive",
            "    Emitter_Mem_Buf_Limit 10M",
            "",
          ]
        : []),
    ].join("\n"),
    outputs: archive ? `${output}${auditArchiveOutput(archive.archive, archive.region)}` : output,
  };
}

export function lokiOutput(): string {
  return [
    "[OUTPUT]",
    "    Name loki",
    "    Match kube.*",
    `    Host ${LOKI_GATEWAY_HOST}`,
    `    Port ${HTTP_PORT}`,
    // A label whose key the record lacks (the platform's own pods) is left out: those streams get the default retention.
    `    Labels job=fluent-bit, namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], container=$kubernetes['container_name'], ${LOKI_APP_LABEL}=${labelAccessor(LOG_LABELS.prefix)}, ${LOKI_CLASS_LABEL}=${labelAccessor(LOG_LABELS.class)}`,
    "    Remove_Keys kubernetes, stream",
    "    Line_Format json",
    "    Retry_Limit 10",
    "",
  ].join("\n");
}

/**
 * The archive's output: newline-delimited JSON, gzipped, one object per upload under `<prefix>YYYY/MM/DD/`, with the
 * Content-MD5 header object lock requires, retried without limit (an audit record is never dropped), buffered on the
 * node's disk.
 */
export function auditArchiveOutput(archive: AuditArchive, region: string): string {
  return [
    "[OUTPUT]",
    "    Name s3",
    `    Match ${AUDIT_TAG_PREFIX}.*`,
    `    region ${region}`,
    `    bucket ${archive.bucketName}`,
    `    s3_key_format /${archive.prefix}%Y/%m/%d/%H%M%S-$UUID.gz`,
    "    total_file_size 50M",
    "    upload_timeout 10m",
    "    use_put_object On",
    "    compression gzip",
    "    send_content_md5 On",
    `    store_dir ${AUDIT_BUFFER_DIR}`,
    "    Retry_Limit no_limits",
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
    // Products' records go to their own `<prefix>-<class>` indices (the label the platform sets on their pods).
    `    Logstash_Prefix_Key ${labelAccessor(LOG_LABELS.index)}`,
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
  readonly identities: { readonly loki?: WorkloadIdentity; readonly fluentBit?: WorkloadIdentity } = {};
  /** URL Grafana queries logs at (backend loki). */
  readonly lokiUrl?: string;

  constructor(scope: Construct, id: string, props: LoggingProps) {
    super(scope, id);
    const problems = loggingProblems(props);
    if (problems.length > 0) throw new LoggingError(`Logging ${id}:\n  - ${problems.join("\n  - ")}`);
    const { account, naming, clusterName } = props;
    const partition = partitionOf(account.region);

    const podSecurity = podSecurityMetadata(LOGGING_POD_SECURITY, "restricted", LOGGING_PRIVILEGED_REASON);
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: LOGGING_NAMESPACE,
        labels: {
          "app.kubernetes.io/managed-by": "cdktf",
          ...podSecurity.labels,
        },
        annotations: podSecurity.annotations,
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
    const viaS3 = { test: "StringEquals", variable: "kms:ViaService", values: [`s3.${account.region}.${dnsSuffixOf(account.region)}`] };
    const dataKey = props.backend === "loki" || props.auditArchive ? new DataAwsKmsKey(this, "data-key", { keyId: naming.kmsAlias("data") }) : undefined;
    const fluentBitStatements: WorkloadPolicyStatement[] = [];
    let fluentBitTags: Record<string, string> | undefined;
    if (props.backend === "loki") {
      const settings = props.loki as LokiSettings;
      const keyArn = (dataKey as DataAwsKmsKey).arn;
      const bucketName = naming.name("s3-bucket", "loki", account.accountId, account.region);
      const bucket = this.lokiBucket(bucketName, keyArn, props);
      const lokiIdentity = identity("loki", LOKI_SERVICE_ACCOUNT, [
        { sid: "ListBucket", actions: ["s3:ListBucket"], resources: [bucket.arn] },
        { sid: "ReadWriteObjects", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucket.arn}/*`] },
        { sid: "UseDataKeyThroughS3", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [keyArn], condition: [viaS3] },
      ]);
      const overrides: LokiOverrides = {
        loki: {
          config: stringify(lokiConfig({ region: account.region, bucket: bucketName, retention: props.retention, replicas: settings.replicas }), { lineWidth: 0 }),
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
      fluentBitTags = { [tag.key]: tag.value };
      fluentBitStatements.push({
        sid: "WriteLogIndices",
        actions: ["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpGet", "es:ESHttpHead"],
        resources: [`arn:${partition}:es:${account.region}:${account.accountId}:domain/${search.domainName}/*`],
      });
      this.identities = {};
      output = openSearchOutput(host, account.region);
    }
    if (props.auditArchive && dataKey) {
      // Only new objects under the archive's prefix: no reads, no deletes (object lock forbids them anyway).
      fluentBitStatements.push(
        { sid: "WriteAuditArchive", actions: ["s3:PutObject"], resources: [`arn:${partition}:s3:::${props.auditArchive.bucketName}/${props.auditArchive.prefix}*`] },
        { sid: "EncryptAuditArchiveThroughS3", actions: ["kms:GenerateDataKey"], resources: [dataKey.arn], condition: [viaS3] },
      );
    }
    if (fluentBitStatements.length > 0) {
      fluentBitIdentity = identity("fluent-bit", FLUENT_BIT_SERVICE_ACCOUNT, fluentBitStatements, fluentBitTags);
      this.identities = { ...this.identities, fluentBit: fluentBitIdentity };
    }

    this.fluentBit = chartRelease(this, "fluent-bit", {
      chart: "fluent-bit",
      name: FLUENT_BIT_RELEASE,
      namespace: LOGGING_NAMESPACE,
      overrides: {
        serviceAccount: { create: true, name: FLUENT_BIT_SERVICE_ACCOUNT },
        config: fluentBitConfig(output, props.auditArchive ? { archive: props.auditArchive, region: account.region } : undefined),
      },
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
          expiration: [{ days: longestRetention(props.retention) + LIFECYCLE_GRACE_DAYS }],
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

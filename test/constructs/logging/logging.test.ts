import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { releaseValuesProblems } from "../../../charts/values-check";
import { Naming } from "../../../constructs/core/naming";
import { Logging, LoggingError, LOKI_URL, type LoggingProps } from "../../../constructs/logging";
import { resourceList, resourcesOf, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const base: LoggingProps = {
  naming,
  account: TEST_ACCOUNT,
  clusterName: "acme-prod-eks",
  backend: "loki",
  retention: { application: 30, infrastructure: 14, audit: 365 },
  loki: { replicas: 3, storageGiB: 20 },
  accessLogBucket: "acme-prod-access-logs",
};

/** Parsed Helm values, navigated freely by the assertions. */
// oxlint-disable-next-line typescript/no-explicit-any -- a YAML document of unknown shape; each assertion states what it expects
type Values = Record<string, any>;

function values(json: Synthesized, name: string): Values {
  const release = Object.values(resourcesOf(json, "helm_release")).find((item) => item.name === name);
  if (!release) throw new Error(`no release ${name}`);
  return (release.values as string[]).map((text) => parse(text) as Record<string, unknown>).reduce((acc, doc) => ({ ...acc, ...doc }), {});
}

const loki = synthConstruct((scope) => new Logging(scope, "logging", base));
const lokiValues = values(loki.json, "loki");
const lokiConfig = parse(lokiValues.loki.config as string) as Values;
const fluentBit = values(loki.json, "fluent-bit");
const dev = synthConstruct((scope) => new Logging(scope, "logging", { ...base, retention: { application: 7, infrastructure: 7, audit: 7 }, loki: { replicas: 1, storageGiB: 10 }, protectState: false, accessLogBucket: undefined }));
const search = synthConstruct(
  (scope) => new Logging(scope, "logging", { ...base, backend: "opensearch", loki: undefined, opensearch: { serviceName: "logs", domainName: "acme-prod-logs" } }),
);

describe("Logging defaults (Loki on S3, production)", () => {
  it("installs Loki and Fluent Bit at pinned versions with values keys that exist upstream", () => {
    expect(resourceList(loki.json, "helm_release").map((release) => [release.chart, release.version]).sort()).toEqual([
      ["fluent-bit", "0.58.1"],
      ["loki", "7.3.0"],
    ]);
    expect(releaseValuesProblems(loki.json)).toEqual([]);
    expect(releaseValuesProblems(search.json)).toEqual([]);
  });

  it("stores logs in a private, versioned bucket encrypted with the data key, expiring after the retention", () => {
    const [bucket] = resourceList(loki.json, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket: "acme-prod-loki-123456789012-eu-west-1", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(loki.text).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(loki.text).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [expect.objectContaining({ apply_server_side_encryption_by_default: expect.objectContaining({ sse_algorithm: "aws:kms" }), bucket_key_enabled: true })],
    });
    expect(loki.text).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      // The longest class (audit, 365 days) plus a day of grace after the compactor deletes.
      rule: [expect.objectContaining({ expiration: [{ days: 366 }], noncurrent_version_expiration: [{ noncurrent_days: 1 }] })],
    });
    expect(resourceList(loki.json, "aws_s3_bucket_public_access_block")[0]).toMatchObject({ block_public_acls: true, restrict_public_buckets: true });
    expect(JSON.stringify(loki.json.data?.aws_iam_policy_document)).toContain("aws:SecureTransport");
    expect(resourceList(loki.json, "aws_s3_bucket_logging")).toEqual([
      expect.objectContaining({ target_bucket: "acme-prod-access-logs", target_prefix: "s3/acme-prod-loki-123456789012-eu-west-1/" }),
    ]);
  });

  it("configures Loki's retention, replication and S3 storage from the props", () => {
    // Streams of the platform's own pods (no class label) are infrastructure; the products' streams carry log_class.
    expect(lokiConfig.limits_config.retention_period).toBe("336h");
    expect(lokiConfig.limits_config.retention_stream).toEqual([
      { selector: '{log_class="application"}', priority: 1, period: "720h" },
      { selector: '{log_class="audit"}', priority: 2, period: "8760h" },
    ]);
    expect(lokiConfig.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "s3" });
    expect(lokiConfig.common.replication_factor).toBe(3);
    expect(lokiConfig.common.storage.s3).toMatchObject({ region: "eu-west-1", bucketnames: "acme-prod-loki-123456789012-eu-west-1" });
    expect(lokiValues.singleBinary).toEqual({ replicas: 3, persistence: { enabled: true, size: "20Gi", storageClass: "gp3-encrypted" } });
    expect(lokiValues.loki.config).not.toContain("{{");
  });

  it("gives Loki its own role, scoped to its bucket and the data key through S3", () => {
    expect(resourceList(loki.json, "aws_eks_pod_identity_association")).toEqual([expect.objectContaining({ namespace: "logging", service_account: "loki" })]);
    const permissions = JSON.stringify(loki.json.data?.aws_iam_policy_document);
    expect(permissions).toContain('"s3:GetObject","s3:PutObject","s3:DeleteObject"');
    expect(permissions).toContain("kms:ViaService");
  });

  it("runs Fluent Bit on every node, parses JSON application logs and ships them to Loki", () => {
    expect(fluentBit.config.filters).toMatch(/Name kubernetes[\s\S]*Merge_Log On/);
    expect(fluentBit.config.inputs).toContain("Path /var/log/containers/*.log");
    expect(fluentBit.config.outputs).toMatch(/Name loki[\s\S]*Host loki-gateway\.logging\.svc\.cluster\.local/);
    expect(loki.construct.lokiUrl).toBe(LOKI_URL);
  });

  it("labels the products' streams with their log prefix (app) and retention class (log_class)", () => {
    expect(fluentBit.config.outputs).toContain("app=$kubernetes['labels']['platform.example.com/log-prefix'], log_class=$kubernetes['labels']['platform.example.com/log-class']");
    // No archive: no copy of audit records, no S3 output, no role for Fluent Bit.
    expect(fluentBit.config.filters).not.toContain("rewrite_tag");
    expect(fluentBit.config.outputs).not.toContain("Name s3");
    expect(loki.construct.identities.fluentBit).toBeUndefined();
  });
});

describe("Logging production vs development", () => {
  it("keeps logs a week on one unprotected replica in development", () => {
    const config = parse(values(dev.json, "loki").loki.config as string) as Values;
    expect(config.limits_config.retention_period).toBe("168h");
    expect(config.common.replication_factor).toBe(1);
    expect(resourceList(dev.json, "aws_s3_bucket")[0]).toMatchObject({ force_destroy: true, lifecycle: { prevent_destroy: false } });
    expect(resourceList(dev.json, "aws_s3_bucket_logging")).toEqual([]);
  });
});

describe("Logging to OpenSearch", () => {
  it("ships to the domain found through its connection parameter, signed with Fluent Bit's own role", () => {
    expect(resourceList(search.json, "aws_s3_bucket")).toEqual([]);
    expect(Object.values(search.json.data?.aws_ssm_parameter ?? {})).toEqual([expect.objectContaining({ name: "/acme/prod/services/logs/connection" })]);
    const outputs = values(search.json, "fluent-bit").config.outputs as string;
    expect(outputs).toMatch(/Name opensearch[\s\S]*AWS_Auth On[\s\S]*AWS_Region eu-west-1/);
    expect(outputs).toContain("tls.verify On");
    expect(outputs).toMatch(/Host \$\{jsondecode\(data\.aws_ssm_parameter\.[^)]+\.value\)\.host\}/);
    expect(JSON.stringify(search.json.data?.aws_iam_policy_document)).toContain("arn:aws:es:eu-west-1:123456789012:domain/acme-prod-logs/*");
    expect(search.construct.lokiUrl).toBeUndefined();
  });

  it("writes each product's records to its own logs-<prefix>-<class> indices, the platform's to logs-platform-infrastructure", () => {
    const outputs = values(search.json, "fluent-bit").config.outputs as string;
    expect(outputs).toContain("Logstash_Prefix logs-platform-infrastructure");
    expect(outputs).toContain("Logstash_Prefix_Key $kubernetes['labels']['platform.example.com/log-index']");
  });
});

describe("Logging with an audit archive", () => {
  const archived = synthConstruct((scope) => new Logging(scope, "logging", { ...base, auditArchive: { bucketName: "acme-prod-murima-audit-archive", prefix: "audit-logs/" } }));
  const config = values(archived.json, "fluent-bit").config;

  it("copies audit-class records to the object-locked bucket, with Content-MD5, gzipped, never dropped", () => {
    expect(config.filters).toContain("Name rewrite_tag");
    expect(config.filters).toContain("Rule $kubernetes['labels']['platform.example.com/log-class'] ^audit$ audit.$TAG true");
    expect(config.outputs).toMatch(/Name loki[\s\S]*\[OUTPUT\]\n    Name s3\n    Match audit\.\*\n    region eu-west-1\n    bucket acme-prod-murima-audit-archive\n/);
    for (const line of ["s3_key_format /audit-logs/%Y/%m/%d/%H%M%S-$UUID.gz", "send_content_md5 On", "compression gzip", "use_put_object On", "Retry_Limit no_limits", "store_dir /var/log/flb-audit-archive"]) {
      expect(config.outputs).toContain(line);
    }
    expect(releaseValuesProblems(archived.json)).toEqual([]);
  });

  it("lets Fluent Bit's own role only put objects under the archive's prefix, encrypted with the data key through S3", () => {
    expect(resourceList(archived.json, "aws_eks_pod_identity_association")).toEqual(
      expect.arrayContaining([expect.objectContaining({ namespace: "logging", service_account: "fluent-bit" })]),
    );
    const documents = Object.values(archived.json.data?.aws_iam_policy_document ?? {}).map((document) => JSON.stringify(document));
    const fluentBitPolicy = documents.find((document) => document.includes("WriteAuditArchive")) ?? "";
    expect(fluentBitPolicy).toContain('"actions":["s3:PutObject"],"resources":["arn:aws:s3:::acme-prod-murima-audit-archive/audit-logs/*"]');
    expect(fluentBitPolicy).toContain('"actions":["kms:GenerateDataKey"]');
    expect(fluentBitPolicy).not.toMatch(/s3:(GetObject|DeleteObject|PutObjectRetention|BypassGovernanceRetention)/);
  });

  it("rejects an archive that is not a bucket name, or a prefix without a trailing slash", () => {
    expect(build({ auditArchive: { bucketName: "Not_A_Bucket", prefix: "audit/" } })).toThrow(/auditArchive\.bucketName "Not_A_Bucket" is not an S3 bucket name/);
    expect(build({ auditArchive: { bucketName: "acme-audit", prefix: "audit" } })).toThrow(/auditArchive\.prefix "audit" must be segments ending with '\/'/);
  });
});

/** A thunk synthesizing Logging with `props`, for `expect(...).toThrow`. */
function build(props: Partial<LoggingProps>): () => unknown {
  return () => synthConstruct((scope) => new Logging(scope, "logging", { ...base, ...props }));
}

describe("Logging validation", () => {
  it("rejects a retention outside 1 to 3650 days", () => {
    expect(build({ retention: { application: 0, infrastructure: 7, audit: 7 } })).toThrow(/retention\.application 0 must be a whole number of days from 1 to 3650/);
  });

  it("rejects backend loki without its settings and with opensearch settings", () => {
    expect(build({ loki: undefined })).toThrow(/backend loki needs loki settings/);
    expect(build({ opensearch: { serviceName: "logs", domainName: "x" } })).toThrow(/opensearch settings apply to backend opensearch only/);
  });

  it("rejects backend opensearch without its domain", () => {
    expect(build({ backend: "opensearch", loki: undefined })).toThrow(LoggingError);
    expect(build({ backend: "opensearch", loki: undefined })).toThrow(/backend opensearch needs the opensearch data service/);
  });

  it("rejects Loki replicas outside 1 to 7 and an unknown backend", () => {
    expect(build({ loki: { replicas: 9, storageGiB: 10 } })).toThrow(/loki\.replicas 9 must be from 1 to 7/);
    expect(build({ backend: "elasticsearch" as "loki" })).toThrow(/backend "elasticsearch" is not one of loki, opensearch/);
  });
});

/**
 * `<env>-infra` with the bundled configuration: the data services, buckets and edge the environments declare,
 * production's protection, and nothing reachable from the internet.
 */
import { describe, expect, it } from "vitest";
import { bundledStackJson, resourceList, resourcesOf, type Synthesized } from "../support/synth";

// Synthesized once per run by the global setup.
const prod = bundledStackJson("prod-infra");
const dev = bundledStackJson("dev-infra");

/** Resources created by this constructs (services, storage, edge). */
function ours(json: Synthesized, type: string): [string, Record<string, unknown>][] {
  return Object.entries(resourcesOf(json, type)).filter(([id]) => /^(services|storage|edge)_/.test(id));
}

const DATABASES = ["aws_rds_cluster", "aws_docdb_cluster"] as const;
const STATEFUL = ["aws_rds_cluster", "aws_docdb_cluster", "aws_elasticache_replication_group", "aws_opensearch_domain", "aws_mq_broker", "aws_s3_bucket"] as const;

describe("prod-infra", () => {
  it("creates every declared service: 3 Aurora clusters, 3 caches, DocumentDB, OpenSearch, RabbitMQ", () => {
    expect(ours(prod, "aws_rds_cluster")).toHaveLength(3);
    expect(ours(prod, "aws_rds_cluster_instance")).toHaveLength(2 + 3 + 2);
    expect(ours(prod, "aws_elasticache_replication_group")).toHaveLength(3);
    expect(ours(prod, "aws_docdb_cluster_instance")).toHaveLength(3);
    expect(ours(prod, "aws_opensearch_domain")).toHaveLength(1);
    expect(ours(prod, "aws_mq_broker")).toEqual([[expect.any(String), expect.objectContaining({ deployment_mode: "CLUSTER_MULTI_AZ" })]]);
    expect(ours(prod, "aws_ssm_parameter").map(([, parameter]) => parameter.name).sort()).toEqual([
      "/acme/prod/edge",
      ...["murima-audit-archive", "murima-cache", "murima-db", "murima-docs", "murima-mq", "murima-search", "noor-cache", "noor-db", "noor-exports", "noor-uploads", "smartedu-cache", "smartedu-db"].map(
        (name) => `/acme/prod/services/${name}/connection`,
      ),
    ]);
  });

  it("gives every stateful resource prevent_destroy and databases deletion protection and a final snapshot", () => {
    for (const type of STATEFUL) {
      for (const [id, resource] of ours(prod, type)) {
        expect((resource.lifecycle as Record<string, unknown> | undefined)?.prevent_destroy, `${type}.${id}`).toBe(true);
      }
    }
    for (const [id, bucket] of ours(prod, "aws_s3_bucket")) expect(bucket.force_destroy, id).toBe(false);
    for (const type of DATABASES) {
      for (const [id, resource] of ours(prod, type)) {
        expect(resource, id).toMatchObject({ deletion_protection: true, skip_final_snapshot: false, final_snapshot_identifier: expect.stringMatching(/-final$/) });
      }
    }
    for (const [id, group] of ours(prod, "aws_elasticache_replication_group")) expect(group.final_snapshot_identifier, id).toMatch(/-final$/);
  });

  it("tags every backed-up resource with its backup plan", () => {
    for (const type of ["aws_rds_cluster", "aws_docdb_cluster", "aws_elasticache_replication_group", "aws_opensearch_domain"]) {
      for (const [id, resource] of ours(prod, type)) expect((resource.tags as Record<string, string>)["platform:backup"], id).toBe("default");
    }
    const dataBuckets = ours(prod, "aws_s3_bucket").filter(([id]) => !id.includes("access-logs") && !id.includes("replica"));
    expect(dataBuckets).toHaveLength(3);
    for (const [id, bucket] of dataBuckets) expect((bucket.tags as Record<string, string>)["platform:backup"], id).toBe("default");
  });

  it("reaches no data service from the internet: private, in the data tier, security-group sources only", () => {
    const workloadGroup = Object.keys(resourcesOf(prod, "aws_security_group")).find((id) => id.startsWith("network_workloads-sg")) as string;
    const rules = ours(prod, "aws_vpc_security_group_ingress_rule");
    expect(rules.length).toBeGreaterThanOrEqual(9);
    // Sources: the workload group, the broker's password rotation function on the management port only, and each
    // PostgreSQL monitoring user's rotation function (observability.exporters.postgres) on its database's port only.
    const groups = Object.keys(resourcesOf(prod, "aws_security_group"));
    const rotationGroups = groups.filter((id) => /_rotation-security-group_/.test(id));
    expect(rotationGroups).toHaveLength(1);
    const monitorGroups = groups.filter((id) => /^services_postgres-[a-z-]+-monitor-user_security-group_/.test(id));
    expect(monitorGroups).toHaveLength(3);
    const reference = (group: string) => `\${aws_security_group.${group}.id}`;
    const problems = rules.flatMap(([id, rule]) => {
      if (rule.cidr_ipv4 !== undefined || rule.cidr_ipv6 !== undefined) return [`${id}: a CIDR source`];
      if (rule.referenced_security_group_id === reference(rotationGroups[0] as string)) return rule.from_port === 443 ? [] : [`${id}: broker rotation on port ${rule.from_port}`];
      if (monitorGroups.some((group) => rule.referenced_security_group_id === reference(group))) {
        const service = /^services_postgres-([a-z-]+)-monitor-user_/.exec(id)?.[1];
        const database = new RegExp(`^\\$\\{aws_security_group\\.services_postgres-${service}_security-group_`);
        return rule.from_port === 5432 && rule.to_port === 5432 && database.test(String(rule.security_group_id)) ? [] : [`${id}: monitoring rotation admitted on ${rule.security_group_id} ${rule.from_port}-${rule.to_port}`];
      }
      return rule.referenced_security_group_id === reference(workloadGroup) ? [] : [`${id}: source ${rule.referenced_security_group_id}`];
    });
    expect(problems).toEqual([]);
    for (const [id, instance] of [...ours(prod, "aws_rds_cluster_instance"), ...ours(prod, "aws_db_instance")]) expect(instance.publicly_accessible, id).toBe(false);
    for (const [id, broker] of ours(prod, "aws_mq_broker")) expect(broker.publicly_accessible, id).toBe(false);
    // RabbitMQ brokers reject encryptionOptions (terraform-provider-aws#25998): AWS-owned key, no block at all.
    for (const [id, broker] of ours(prod, "aws_mq_broker")) expect(broker.encryption_options, id).toBeUndefined();
    for (const [id, domain] of ours(prod, "aws_opensearch_domain")) {
      expect(JSON.stringify((domain.vpc_options as Record<string, unknown>).subnet_ids), id).toMatch(/network_data-\d/);
    }
    for (const [id, cluster] of ours(prod, "aws_rds_cluster")) expect(cluster.db_subnet_group_name, id).toContain("network_db-subnet-group");
  });

  it("alarms on every rotation function the services own: the broker's and each PostgreSQL monitoring user's", () => {
    const functions = Object.entries(resourcesOf(prod, "aws_lambda_function")).map(([id]) => id).filter((id) => id.startsWith("services_"));
    expect(functions).toHaveLength(4);
    const watched = Object.values(resourcesOf(prod, "aws_cloudwatch_metric_alarm"))
      .filter((alarm) => alarm.metric_name === "Errors" && alarm.namespace === "AWS/Lambda")
      .map((alarm) => String((alarm.dimensions as Record<string, string>).FunctionName));
    expect(watched.sort()).toEqual(functions.map((id) => `\${aws_lambda_function.${id}.function_name}`).sort());
  });

  it("encrypts every data store with the data key and every log group with the logs key", () => {
    for (const [id, cluster] of [...ours(prod, "aws_rds_cluster"), ...ours(prod, "aws_docdb_cluster")]) expect(cluster.kms_key_id, id).toContain("aws_kms_key.keys_data");
    for (const [id, group] of ours(prod, "aws_elasticache_replication_group")) expect(group.kms_key_id, id).toContain("aws_kms_key.keys_data");
    for (const [id, group] of ours(prod, "aws_cloudwatch_log_group")) {
      expect(group.kms_key_id, id).toContain("aws_kms_key.keys_logs");
      expect(group.retention_in_days, id).toBe(365);
    }
  });

  it("issues certificates for CloudFront through the us-east-1 provider alias", () => {
    expect(prod.provider?.aws).toContainEqual(expect.objectContaining({ alias: "us-east-1", region: "us-east-1", allowed_account_ids: ["111111111111"] }));
    expect(ours(prod, "aws_acm_certificate").filter(([, certificate]) => certificate.provider === "aws.us-east-1")).toHaveLength(1);
    expect(ours(prod, "aws_wafv2_web_acl").map(([, acl]) => acl.scope).sort()).toEqual(["CLOUDFRONT", "REGIONAL"]);
  });

  it("lets CloudFront decrypt data-key objects only for this account's distributions", () => {
    const policy = Object.entries(prod.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith("keys_data-policy"))?.[1] as { statement: Record<string, unknown>[] };
    expect(policy.statement).toContainEqual(expect.objectContaining({ sid: "AllowCloudFrontOriginAccessControl", actions: ["kms:Decrypt"] }));
  });

  it("keeps the addresses of stateful data resources (renaming one replaces it: data loss)", () => {
    const addresses = STATEFUL.flatMap((type) => ours(prod, type).map(([id]) => `${type}.${id}`)).filter((address) => !address.includes("aws_s3_bucket.storage_access"));
    expect(addresses).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_rds_cluster\.services_postgres-noor-db_cluster_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_rds_cluster\.services_postgres-smartedu-db_cluster_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_docdb_cluster\.services_documentdb-murima-docs_cluster_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_elasticache_replication_group\.services_redis-noor-cache_replication-group_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_opensearch_domain\.services_opensearch-murima-search_domain_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_mq_broker\.services_rabbitmq-murima-mq_broker_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_s3_bucket\.storage_bucket-noor-uploads_bucket_[0-9A-F]{8}$/),
      ]),
    );
  });
});

describe("dev-infra", () => {
  it("runs cheaper shapes, unprotected, but still encrypted, TLS-only and private", () => {
    for (const [id, cluster] of ours(dev, "aws_rds_cluster")) {
      expect(cluster, id).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, storage_encrypted: true, lifecycle: { prevent_destroy: false } });
    }
    expect(ours(dev, "aws_rds_cluster_instance").map(([, instance]) => instance.instance_class)).toEqual(["db.t4g.medium", "db.t4g.medium", "db.t4g.medium"]);
    for (const [id, group] of ours(dev, "aws_elasticache_replication_group")) {
      expect(group, id).toMatchObject({ num_cache_clusters: 1, at_rest_encryption_enabled: "true", transit_encryption_enabled: true, transit_encryption_mode: "required" });
    }
    expect(ours(dev, "aws_mq_broker")[0]?.[1]).toMatchObject({ deployment_mode: "SINGLE_INSTANCE", publicly_accessible: false });
    expect(ours(dev, "aws_opensearch_domain")[0]?.[1]).toMatchObject({ encrypt_at_rest: { enabled: true }, node_to_node_encryption: { enabled: true } });
  });

  it("has no web ACLs or access-log bucket (development profile), and only the declared domains", () => {
    expect(ours(dev, "aws_wafv2_web_acl")).toHaveLength(0);
    expect(ours(dev, "aws_s3_bucket").some(([id]) => id.includes("access-logs"))).toBe(false);
    // Zones come from dev-dns; this stack looks them up by name.
    expect(resourceList(dev, "aws_route53_zone")).toEqual([]);
    expect(Object.values(dev.data?.aws_route53_zone ?? {}).map((zone) => zone.name).sort()).toEqual(["murima.dev.example.com", "noor.dev.example.com", "smartedu.dev.example.com"]);
  });
});

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { imagePinningProblem } from "../../constructs/workload/image";
import { bundledSynth, resourceList, ROOT, type Synthesized } from "../support/synth";
import type { Json } from "../constructs/workload/fixtures";

type Resource = Json;

// Every bundled stack, synthesized once for the whole run by the global setup.
const stacks = new Map([...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as Synthesized]));
const prod = stacks.get("prod-platform") as Synthesized;
const dev = stacks.get("dev-platform") as Synthesized;

const list = (json: Synthesized, type: string) => resourceList(json, type) as Resource[];
/**
 * The products' objects: the bundled production also exposes Grafana and Alertmanager through ingresses of their own
 * in the monitoring namespace (observability.exposure, part-of monitoring), which are not workloads.
 */
const productObjects = (json: Synthesized, type: string) => list(json, type).filter((object) => object.metadata?.labels?.["app.kubernetes.io/part-of"] !== "monitoring");
const containersOf = (pod: Resource): Resource[] => pod.container ?? [];

/** Replicas a Deployment can run: its own count, or its HPA's maximum. */
function maxReplicas(json: Synthesized, deployment: Resource): number {
  const { name, namespace } = deployment.metadata;
  const hpa = list(json, "kubernetes_horizontal_pod_autoscaler_v2").find(
    (candidate) => candidate.metadata.namespace === namespace && candidate.spec.scale_target_ref.name === name,
  );
  if (hpa) return hpa.spec.max_replicas;
  return Number(deployment.spec.replicas ?? 1);
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Everything wrong with one Deployment, as readable strings (empty when it is compliant). */
function deploymentProblems(json: Synthesized, deployment: Resource, requireDigest: boolean): string[] {
  const problems: string[] = [];
  const pod = deployment.spec.template.spec;
  const labels = deployment.spec.template.metadata.labels as Record<string, string>;
  if (pod.security_context?.run_as_non_root !== true) problems.push("pod does not set runAsNonRoot");
  for (const container of containersOf(pod)) {
    const where = `container ${container.name}`;
    if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) problems.push(`${where}: no CPU/memory requests`);
    if (!container.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    if (!container.liveness_probe || !container.readiness_probe) problems.push(`${where}: missing liveness or readiness probe`);
    if (container.security_context?.run_as_non_root === false || container.security_context?.run_as_user === "0") problems.push(`${where}: may run as root`);
    if (container.security_context?.read_only_root_filesystem !== true) problems.push(`${where}: writable root filesystem`);
    if (container.security_context?.allow_privilege_escalation !== false) problems.push(`${where}: privilege escalation allowed`);
    const pinning = imagePinningProblem(String(container.image ?? ""), requireDigest);
    if (pinning) problems.push(`${where}: image ${container.image}: ${pinning}`);
  }
  if (maxReplicas(json, deployment) > 1) {
    const budget = list(json, "kubernetes_pod_disruption_budget_v1").find(
      (pdb) => pdb.metadata.namespace === deployment.metadata.namespace && selects(pdb.spec.selector.match_labels, labels),
    );
    if (!budget) problems.push("runs more than one replica but no PodDisruptionBudget selects its pods");
  }
  return problems;
}

describe("every Deployment of every bundled stack", () => {
  const deployments = [...stacks].flatMap(([stack, json]) => list(json, "kubernetes_deployment_v1").map((deployment) => ({ stack, json, deployment })));

  it("exists in the platform stacks (the bundled products synthesize)", () => {
    expect(deployments.length).toBeGreaterThanOrEqual(45);
  });

  it("has requests, probes, non-root hardening, a pinned image and (with more than one replica) a PDB", () => {
    const failures = deployments.flatMap(({ stack, json, deployment }) =>
      deploymentProblems(json, deployment, stack.startsWith("prod-")).map((problem) => `${stack} ${deployment.metadata.namespace}/${deployment.metadata.name}: ${problem}`),
    );
    expect(failures).toEqual([]);
  });

  it("starts every Deployment under an HPA at the HPA's minimum, and leaves replicas to the HPA afterwards", () => {
    const autoscaled = deployments.flatMap(({ stack, json, deployment }) => {
      const { name, namespace } = deployment.metadata;
      const autoscaler = list(json, "kubernetes_horizontal_pod_autoscaler_v2").find((candidate) => candidate.metadata.namespace === namespace && candidate.spec.scale_target_ref.name === name);
      return autoscaler ? [{ at: `${stack} ${namespace}/${name}`, deployment, autoscaler }] : [];
    });
    expect(autoscaled.length).toBeGreaterThanOrEqual(20);
    const wrong = autoscaled.filter(({ deployment, autoscaler }) => deployment.spec.replicas !== String(autoscaler.spec.min_replicas) || !deployment.lifecycle?.ignore_changes?.includes("spec[0].replicas"));
    expect(wrong.map(({ at, deployment, autoscaler }) => `${at}: replicas ${deployment.spec.replicas}, HPA minimum ${autoscaler.spec.min_replicas}`)).toEqual([]);
  });

  it("the check itself fails on a non-compliant Deployment", () => {
    const { json, deployment } = deployments[0] as { json: Synthesized; deployment: Resource };
    const broken = structuredClone(deployment);
    const container = broken.spec.template.spec.container[0];
    delete container.resources.requests;
    delete container.readiness_probe;
    container.image = "registry.example.com/app:latest";
    broken.spec.template.spec.security_context.run_as_non_root = false;
    broken.spec.template.metadata.labels = { "app.kubernetes.io/name": "orphan" };
    broken.spec.replicas = "3";
    broken.metadata.name = "orphan";
    const problems = deploymentProblems(json, broken, false);
    expect(problems).toEqual(
      expect.arrayContaining([
        "pod does not set runAsNonRoot",
        expect.stringMatching(/no CPU\/memory requests/),
        expect.stringMatching(/missing liveness or readiness probe/),
        expect.stringMatching(/latest is not allowed/),
        "runs more than one replica but no PodDisruptionBudget selects its pods",
      ]),
    );
  });
});

describe("prod-platform", () => {
  it("runs the reference products with every kind of Kubernetes object the workloads need", () => {
    const counts = Object.fromEntries(
      [
        "kubernetes_namespace_v1",
        "kubernetes_deployment_v1",
        "kubernetes_service_v1",
        "kubernetes_ingress_v1",
        "kubernetes_horizontal_pod_autoscaler_v2",
        "kubernetes_pod_disruption_budget_v1",
        "kubernetes_network_policy_v1",
        "kubernetes_service_account_v1",
        "kubernetes_cron_job_v1",
        "kubernetes_job_v1",
        "kubernetes_resource_quota_v1",
        "kubernetes_limit_range_v1",
      ].map((type) => [type, productObjects(prod, type).length]),
    );
    expect(counts).toMatchObject({
      kubernetes_deployment_v1: 15, // noor 2, smartedu 3, murima 10
      kubernetes_ingress_v1: 6,
      kubernetes_horizontal_pod_autoscaler_v2: 6,
      kubernetes_pod_disruption_budget_v1: 15,
      kubernetes_cron_job_v1: 1,
      kubernetes_job_v1: 7, // murima, smartedu and noor pre-rollout jobs; each product's own database user; murima's search role
      kubernetes_resource_quota_v1: 5, // the three products' namespaces, database-bootstrap and search-security
      kubernetes_limit_range_v1: 5,
    });
    const namespaces = list(prod, "kubernetes_namespace_v1").map((namespace) => namespace.metadata.name);
    expect(namespaces).toEqual(expect.arrayContaining(["noor", "smartedu", "murima"]));
  });

  it("gives every product namespace default-deny policies and every workload its own policy and service account", () => {
    const policies = list(prod, "kubernetes_network_policy_v1");
    expect(policies.filter((policy) => policy.metadata.name === "default-deny")).toHaveLength(5); // and database-bootstrap, search-security
    const workloads = [...list(prod, "kubernetes_deployment_v1"), ...list(prod, "kubernetes_cron_job_v1")];
    for (const workload of workloads) {
      const { name, namespace } = workload.metadata;
      expect(policies.some((policy) => policy.metadata.name === name && policy.metadata.namespace === namespace), `${namespace}/${name}`).toBe(true);
    }
    for (const policy of policies) {
      const blocks = JSON.stringify(policy.spec);
      expect(blocks, policy.metadata.name).not.toContain("0.0.0.0/0");
    }
    const accounts = list(prod, "kubernetes_service_account_v1").filter((account) => ["noor", "smartedu", "murima"].includes(account.metadata.namespace));
    expect(accounts).toHaveLength(19);
    expect(accounts.every((account) => typeof account.automount_service_account_token === "boolean")).toBe(true);
  });

  it("routes the guides' hosts through one ALB group, with HTTPS redirect and a certificate per product", () => {
    const ingresses = productObjects(prod, "kubernetes_ingress_v1");
    const hosts = ingresses.flatMap((ingress) => ingress.spec.rule.map((rule: Resource) => rule.host)).sort();
    expect(hosts).toEqual([
      "*.murima.example.com",
      "api.murima.example.com",
      "api.noor.example.com",
      "app.murima.example.com",
      "app.noor.example.com",
      "smartedu.example.com",
      "smartedu.example.com",
      "www.smartedu.example.com",
      "www.smartedu.example.com",
    ]);
    const groups = new Set(ingresses.map((ingress) => ingress.metadata.annotations["alb.ingress.kubernetes.io/group.name"]));
    expect([...groups]).toEqual(["acme-prod-apps"]);
    for (const ingress of ingresses) {
      expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"]).toBe("443");
      // The regional web ACL the edge publishes (an SSM parameter read by name, no cross-stack reference).
      expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]).toMatch(/^\$\{jsondecode\(data\.aws_ssm_parameter\.products-edge\.insecure_value\)\.webAclArn\}$/);
    }
    expect(prod.data?.aws_ssm_parameter?.["products-edge"]).toMatchObject({ name: "/acme/prod/edge" });
    // Access logs go to the environment's access-log bucket (production has one; development logs nothing).
    for (const ingress of ingresses) {
      expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).toContain(
        "access_logs.s3.enabled=true,access_logs.s3.bucket=acme-prod-access-logs,access_logs.s3.prefix=alb/acme-prod-apps",
      );
    }
    for (const ingress of list(dev, "kubernetes_ingress_v1")) expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]).not.toContain("access_logs");
    // Development has no regional WAF (profile default), so its ingresses carry none.
    for (const ingress of list(dev, "kubernetes_ingress_v1")) expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"]).toBeUndefined();
    const certificates = Object.values(prod.data?.aws_acm_certificate ?? {}).map((certificate) => (certificate as Resource).domain);
    expect(certificates).toEqual(expect.arrayContaining(["*.noor.example.com", "*.smartedu.example.com", "*.murima.example.com"]));
  });

  it("keeps secret values out: secrets are Secrets Manager references synced by ExternalSecrets through Helm", () => {
    expect(list(prod, "kubernetes_secret_v1")).toHaveLength(0);
    expect(list(prod, "kubernetes_manifest")).toHaveLength(0);
    // Products' secrets get no version from Terraform; the only product-scoped versions are the password cache users'
    // first versions (write-only, the user name only: constructs/cache-user), never a stored value.
    const productVersions = list(prod, "aws_secretsmanager_secret_version").filter((version) => JSON.stringify(version).includes("product-"));
    for (const version of productVersions) {
      expect(Object.keys(version).sort()).toEqual(["//", "lifecycle", "secret_id", "secret_string_wo", "secret_string_wo_version", "version_stages"]);
      expect(String(version.secret_id)).toMatch(/^\$\{aws_secretsmanager_secret\.product-[\w-]+_cache-user-[\w-]+_secret_\w+\.id\}$/);
      expect(String(version.secret_string_wo)).toMatch(/^\$\{jsonencode\(\{"username" = "[\w-]+"\}\)\}$/);
    }
    const releases = list(prod, "helm_release").filter((release) => String(release.chart).startsWith("assets/chart-workload-secrets/"));
    // The products' namespaces, and database-bootstrap (the only namespace with the PostgreSQL master credentials).
    expect(releases.map((release) => release.namespace).sort()).toEqual(["database-bootstrap", "murima", "noor", "smartedu"]);
  });
});

/** The object of `type` named `namespace/name`. */
function named(json: Synthesized, type: string, namespace: string, name: string): Resource {
  return list(json, type).find((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.name === name);
}

const deployment = (json: Synthesized, namespace: string, name: string) => named(json, "kubernetes_deployment_v1", namespace, name);
const hpa = (json: Synthesized, namespace: string, name: string) => named(json, "kubernetes_horizontal_pod_autoscaler_v2", namespace, name);

describe("prod vs dev platform", () => {

  it("runs fewer replicas in dev and enforces zone spreading only in prod", () => {
    expect(hpa(prod, "noor", "backend").spec).toMatchObject({ min_replicas: 4, max_replicas: 20 });
    expect(hpa(dev, "noor", "backend").spec).toMatchObject({ min_replicas: 1, max_replicas: 2 });
    expect(deployment(prod, "murima", "api-gateway").spec.replicas).toBe("3");
    expect(deployment(dev, "murima", "api-gateway").spec.replicas).toBe("1");
    expect(deployment(prod, "noor", "backend").spec.template.spec.topology_spread_constraint[0].when_unsatisfiable).toBe("DoNotSchedule");
    expect(deployment(dev, "noor", "backend").spec.template.spec.topology_spread_constraint[0].when_unsatisfiable).toBe("ScheduleAnyway");
    expect(list(dev, "kubernetes_pod_disruption_budget_v1").some((pdb) => pdb.metadata.namespace === "murima" && pdb.metadata.name === "api-gateway")).toBe(false);
  });

  it("protects product secrets from destruction in prod only", () => {
    for (const secret of list(prod, "aws_secretsmanager_secret").filter((s) => String(s.name).startsWith("acme-prod/"))) expect(secret.lifecycle).toEqual({ prevent_destroy: true });
    for (const secret of list(dev, "aws_secretsmanager_secret").filter((s) => String(s.name).startsWith("acme-dev/"))) expect(secret.lifecycle).toEqual({ prevent_destroy: false });
  });
});

describe("products come from configuration alone", () => {
  it("no construct or stack mentions a reference product by name", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith(".ts")) files.push(path);
      }
    };
    walk(join(ROOT, "constructs"));
    walk(join(ROOT, "stacks"));
    const mentions = files.filter((file) => /\b(noor|smartedu|murima)\b/i.test(readFileSync(file, "utf8")));
    expect(mentions).toEqual([]);
  });
});

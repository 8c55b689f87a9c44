/**
 * The cluster in `<env>-infra` and the add-ons in `<env>-platform`, synthesized from the bundled configuration:
 * what each stack contains, that the platform stack finds infra resources only by name, and — the check Helm
 * itself never makes — that every values key and set name passed to any chart exists in that chart release.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { releaseValuesProblems } from "../../charts/values-check";
import { CHART_CATALOG } from "../../charts/catalog";
import { loadConfig } from "../../config/loader";
import { defined } from "../constructs/addons/support";
import { BUNDLED_CONFIG_DIR, buildStacks, bundledStackJson, resourceList, resourcesOf, synthJson, tempConfig, type Synthesized } from "../support/synth";

const ENVIRONMENTS = ["dev", "prod", "staging"];
/** The bundled environments' stacks, synthesized once for the whole run (test/support/global-setup.ts). */
const synthesized = new Map(
  ENVIRONMENTS.flatMap((environment) => [`${environment}-infra`, `${environment}-platform`]).map((name) => [name, bundledStackJson(name)]),
);
const stack = (name: string): Synthesized => {
  const json = synthesized.get(name);
  if (!json) throw new Error(`no stack ${name}`);
  return json;
};
const prodInfra = stack("prod-infra");
const prodPlatform = stack("prod-platform");
/** Resources of the add-ons (construct path `addons/...`); other issues add their own to the platform stack. */
const addonResources = (json: Synthesized, type: string) =>
  Object.entries(resourcesOf(json, type))
    .filter(([id]) => id.startsWith("addons_"))
    .map(([, resource]) => resource);
const addonLookups = (json: Synthesized, type: string) =>
  Object.entries(json.data?.[type] ?? {})
    .filter(([id]) => id.startsWith("addons_"))
    .map(([, lookup]) => lookup);

describe("prod-infra: the cluster", () => {
  it("contains the cluster, its node group and launch template, managed add-ons and identity resources", () => {
    expect(resourceList(prodInfra, "aws_eks_cluster")).toEqual([expect.objectContaining({ name: "acme-prod-eks", version: "1.35" })]);
    expect(resourceList(prodInfra, "aws_eks_node_group")).toEqual([expect.objectContaining({ node_group_name: "acme-prod-system" })]);
    expect(resourceList(prodInfra, "aws_launch_template")).toHaveLength(1);
    expect(resourceList(prodInfra, "aws_eks_addon").map((addon) => `${addon.addon_name}@${addon.addon_version}`).sort()).toEqual([
      "aws-ebs-csi-driver@v1.56.0-eksbuild.1",
      "coredns@v1.13.2-eksbuild.4",
      "eks-pod-identity-agent@v1.3.9-eksbuild.3",
      "kube-proxy@v1.35.3-eksbuild.2",
      "vpc-cni@v1.21.1-eksbuild.8",
    ]);
    expect(resourceList(prodInfra, "aws_eks_pod_identity_association").map((association) => association.service_account).sort()).toEqual([
      "aws-node",
      "ebs-csi-controller-sa",
    ]);
    // The CI roles by ARN; the IAM Identity Center permission sets' roles found at plan time (constructs/cluster/access.ts).
    expect(resourceList(prodInfra, "aws_eks_access_entry").map((entry) => entry.principal_arn).sort()).toEqual([
      expect.stringMatching(/^\$\{one\(tolist\(data\.aws_iam_roles\.cluster_sso-role-platformadmin_[0-9A-F]{8}\.arns\)\)\}$/),
      expect.stringMatching(/^\$\{one\(tolist\(data\.aws_iam_roles\.cluster_sso-role-platformreadonly_[0-9A-F]{8}\.arns\)\)\}$/),
      "arn:aws:iam::111111111111:role/acme-prod-ci-deploy",
      "arn:aws:iam::111111111111:role/acme-prod-ci-plan",
    ]);
    expect(resourceList(prodInfra, "aws_iam_openid_connect_provider")).toEqual([]);
    expect(prodInfra.resource?.helm_release).toBeUndefined();
    expect(prodInfra.provider?.kubernetes).toBeUndefined();
  });

  it("is private and protected in production, reachable from the office network in development only", () => {
    const prod = resourceList(prodInfra, "aws_eks_cluster")[0];
    const dev = resourceList(stack("dev-infra"), "aws_eks_cluster")[0];
    expect(prod).toMatchObject({ vpc_config: { endpoint_public_access: false }, deletion_protection: true, lifecycle: { prevent_destroy: true } });
    expect(dev).toMatchObject({
      vpc_config: { endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] },
      deletion_protection: false,
      lifecycle: { prevent_destroy: false },
    });
  });

  it("puts every node into the workload security group of its VPC", () => {
    const workloadGroup = defined(Object.entries(resourcesOf(prodInfra, "aws_security_group")).find(([, group]) => group.name === "acme-prod-workloads"))[0];
    const template = resourceList(prodInfra, "aws_launch_template")[0];
    expect(template?.vpc_security_group_ids).toContain(`\${aws_security_group.${workloadGroup}.id}`);
  });
});

describe("prod-platform: the add-ons", () => {
  const releases = addonResources(prodPlatform, "helm_release");

  it("installs the add-ons as Helm releases of exactly the catalog versions", () => {
    const upstream = releases.filter((release) => release.repository !== undefined).map((release) => `${release.chart}@${release.version}`);
    expect(upstream.sort()).toEqual(
      // Reloader: production turns it on for its data-service exporters (observability.exporters needs it).
      (["aws-load-balancer-controller", "external-dns", "external-secrets", "karpenter", "metrics-server", "reloader"] as const)
        .map((chart) => `${chart}@${CHART_CATALOG[chart].version}`)
        .sort(),
    );
    expect(releases.filter((release) => release.repository === undefined).map((release) => release.name).sort()).toEqual([
      "cluster-secret-stores",
      "karpenter-nodes",
    ]);
  });

  it("creates the default storage class and never a kubernetes_manifest of a CRD kind", () => {
    expect(resourceList(prodPlatform, "kubernetes_storage_class_v1")).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ name: "gp3-encrypted" }) })]);
    expect(prodPlatform.resource?.kubernetes_manifest).toBeUndefined();
  });

  it("binds one role per add-on, each to its own service account", () => {
    const bindings = addonResources(prodPlatform, "aws_eks_pod_identity_association").map((association) => `${association.namespace}/${association.service_account}`);
    expect(bindings.sort()).toEqual(["external-dns/external-dns", "external-secrets/external-secrets", "kube-system/aws-load-balancer-controller", "kube-system/karpenter"]);
  });

  it("never references an infra resource: the cluster, keys, security group and zones are looked up by name", () => {
    const text = JSON.stringify(prodPlatform);
    expect(text).not.toContain("terraform_remote_state");
    expect(prodPlatform.resource?.aws_eks_cluster).toBeUndefined();
    expect(addonLookups(prodPlatform, "aws_kms_key").map((key) => key.key_id).sort()).toEqual(["alias/acme-prod-cluster", "alias/acme-prod-data"]);
    expect(addonLookups(prodPlatform, "aws_security_group")).toEqual([
      expect.objectContaining({ name: "acme-prod-workloads", vpc_id: "${data.aws_eks_cluster.cluster.vpc_config[0].vpc_id}" }),
    ]);
  });

  it("looks up exactly the names the infra stack creates", () => {
    const aliases = resourceList(prodInfra, "aws_kms_alias").map((alias) => alias.name);
    for (const key of addonLookups(prodPlatform, "aws_kms_key")) expect(aliases).toContain(key.key_id);
    const groups = resourceList(prodInfra, "aws_security_group").map((group) => group.name);
    for (const group of addonLookups(prodPlatform, "aws_security_group")) expect(groups).toContain(group.name);
    const clusterName = resourceList(prodInfra, "aws_eks_cluster")[0]?.name;
    expect(Object.values(prodPlatform.data?.aws_eks_cluster ?? {})[0]?.name).toBe(clusterName);
    const discovery = resourceList(prodInfra, "aws_subnet").map((subnet) => (subnet.tags as Record<string, string>)["karpenter.sh/discovery"]);
    expect(discovery).toContain(clusterName);
    const nodes = defined(releases.find((release) => release.name === "karpenter-nodes"), "karpenter-nodes");
    expect((nodes.values as string[])[0]).toContain(`subnetDiscoveryTag: "${clusterName}"`);
  });
});

describe("Helm values against the pinned chart releases", () => {
  for (const name of [...synthesized.keys()].filter((candidate) => candidate.endsWith("-platform"))) {
    it(`${name}: every values key and set name exists upstream`, () => {
      expect(resourceList(stack(name), "helm_release").length).toBeGreaterThan(0);
      expect(releaseValuesProblems(stack(name))).toEqual([]);
    });
  }

  it("with every optional add-on enabled and toggles flipped, every values key still exists upstream", async () => {
    const dir = tempConfig({
      set: {
        "environments/dev.yaml": {
          addons: {
            certManager: { enabled: true, replicas: 2 },
            externalDns: { enabled: true, zones: ["dev.acme.example.com", "noor.dev.example.com", "smartedu.dev.example.com", "murima.dev.example.com"], policy: "sync" },
            externalSecrets: { replicas: 2 },
            metricsServer: { replicas: 2 },
          },
        },
      },
    });
    const json = synthJson(defined((await buildStacks(loadConfig(dir), { stackPatterns: ["dev-platform"] })).get("dev-platform")));
    expect(resourceList(json, "helm_release").map((release) => release.name)).toContain("cert-manager");
    expect(releaseValuesProblems(json)).toEqual([]);
  });

  it("leaves out Karpenter, external-dns and cert-manager where they are disabled", async () => {
    // Without external-dns nothing would publish the products' hosts, so this staging runs no product.
    const staging = parse(readFileSync(join(BUNDLED_CONFIG_DIR, "environments", "staging.yaml"), "utf8")) as Record<string, unknown>;
    delete staging.products;
    staging.addons = { ...(staging.addons as object), karpenter: { enabled: false }, externalDns: { enabled: false } };
    const dir = tempConfig({ write: { "environments/staging.yaml": stringify(staging) } });
    const json = synthJson(defined((await buildStacks(loadConfig(dir), { stackPatterns: ["staging-platform"] })).get("staging-platform")));
    expect(addonResources(json, "helm_release").map((release) => release.name).sort()).toEqual([
      "aws-load-balancer-controller",
      "cluster-secret-stores",
      "external-secrets",
      "metrics-server",
    ]);
    expect(json.resource?.aws_sqs_queue).toBeUndefined();
  });
});

describe("add-on and cluster IAM", () => {
  it("has no wildcard action in any role policy of the infra or platform stacks", () => {
    for (const [name, json] of synthesized) {
      for (const [id, document] of Object.entries(json.data?.aws_iam_policy_document ?? {})) {
        // KMS key policies (kms:* for the account root) and resource policies with Deny are not role permissions.
        if (!/_permissions_|cluster-secrets-key/.test(id)) continue;
        for (const statement of document.statement as { actions?: string[] }[]) {
          for (const action of statement.actions ?? []) expect(action === "*" || action.endsWith(":*"), `${name} ${id} ${action}`).toBe(false);
        }
      }
    }
  });
});

describe("platform stacks: the cache password rotation", () => {
  it.each(ENVIRONMENTS)("%s-platform alarms on its rotation function's errors, to the environment's alerts topic (its infra stack creates it)", (environment) => {
    const platform = stack(`${environment}-platform`);
    const topics = Object.values(resourcesOf(stack(`${environment}-infra`), "aws_sns_topic")).map((topic) => String(topic.name));
    const alarms = Object.values(resourcesOf(platform, "aws_cloudwatch_metric_alarm")).filter((alarm) => alarm.namespace === "AWS/Lambda");
    expect(alarms).toHaveLength(1);
    const [alarm] = alarms as Record<string, unknown>[];
    expect(String((alarm!.dimensions as Record<string, string>).FunctionName)).toMatch(/^\$\{aws_lambda_function\.cache-password-rotation_function_\w+\.function_name\}$/);
    const topicName = String((alarm!.alarm_actions as string[])[0]).split(":").pop();
    expect(topics).toContain(topicName);
  });
});

/** Regressions inside the cluster (RBAC, pod security, network policies, workloads) and literal secrets. */
import { addResource, blocksAt, child, fake, firstContainer, podSpec, removeResources, resource } from "./json";
import type { StackMutation } from "./types";

const PLATFORM = "prod-platform";
const BACKEND = "product-noor_workload-backend_deployment";

export const KUBERNETES_MUTATIONS: readonly StackMutation[] = [
  {
    kind: "stack",
    id: "k8s-cluster-admin-binding",
    description: "the CI plan group is bound to cluster-admin",
    stack: PLATFORM,
    expect: "K8S-RBAC-CLUSTER-ADMIN",
    apply: (json) => {
      child(resource(json, "kubernetes_cluster_role_binding_v1"), "role_ref").name = "cluster-admin";
    },
  },
  {
    kind: "stack",
    id: "k8s-rbac-wildcard-verbs",
    description: "a cluster role grants every verb on its resources",
    stack: PLATFORM,
    expect: "K8S-RBAC-WILDCARD",
    apply: (json) => {
      const [rule] = blocksAt(resource(json, "kubernetes_cluster_role_v1", "read-role"), "rule");
      if (rule) rule.verbs = ["*"];
    },
  },
  {
    kind: "stack",
    id: "k8s-cluster-wide-secret-read",
    description: "a cluster role bound cluster-wide may read every Secret",
    stack: PLATFORM,
    expect: "K8S-RBAC-SECRETS",
    apply: (json) => {
      blocksAt(resource(json, "kubernetes_cluster_role_v1", "read-role"), "rule").push({ api_groups: [""], resources: ["secrets"], verbs: ["get", "list"] });
    },
  },
  {
    kind: "stack",
    id: "k8s-privileged-container",
    description: "the NOOR backend container runs privileged",
    stack: PLATFORM,
    expect: "K8S-NO-PRIVILEGED",
    apply: (json) => {
      child(firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND)), "security_context").privileged = true;
    },
  },
  {
    kind: "stack",
    id: "k8s-add-sys-admin",
    description: "the NOOR backend container adds CAP_SYS_ADMIN",
    stack: PLATFORM,
    expect: "K8S-NO-ADDED-CAPABILITIES",
    apply: (json) => {
      child(child(firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND)), "security_context"), "capabilities").add = ["SYS_ADMIN"];
    },
  },
  {
    kind: "stack",
    id: "k8s-host-network",
    description: "the NOOR backend pod joins the host network",
    stack: PLATFORM,
    expect: "K8S-NO-HOST-NS",
    apply: (json) => {
      podSpec(resource(json, "kubernetes_deployment_v1", BACKEND)).host_network = true;
    },
  },
  {
    kind: "stack",
    id: "k8s-run-as-root",
    description: "the NOOR backend runs as root",
    stack: PLATFORM,
    expect: "K8S-NON-ROOT",
    apply: (json) => {
      const workload = resource(json, "kubernetes_deployment_v1", BACKEND);
      for (const context of [child(podSpec(workload), "security_context"), child(firstContainer(workload), "security_context")]) {
        context.run_as_non_root = false;
        context.run_as_user = "0";
      }
    },
  },
  {
    kind: "stack",
    id: "k8s-image-latest",
    description: "the NOOR backend image is pulled by the mutable tag latest",
    stack: PLATFORM,
    expect: "K8S-IMAGE-PINNED",
    apply: (json) => {
      firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND)).image = "registry.example.com/noor/backend:latest";
    },
  },
  {
    kind: "stack",
    id: "k8s-resource-limits-removed",
    description: "the NOOR backend loses its requests and limits",
    stack: PLATFORM,
    expect: "K8S-REQUESTS-LIMITS",
    apply: (json) => {
      delete firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND)).resources;
    },
  },
  {
    kind: "stack",
    id: "k8s-probes-removed",
    description: "the NOOR backend loses its probes",
    stack: PLATFORM,
    expect: "K8S-PROBES",
    apply: (json) => {
      const container = firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND));
      delete container.liveness_probe;
      delete container.readiness_probe;
      delete container.startup_probe;
    },
  },
  {
    kind: "stack",
    id: "k8s-pdb-removed",
    description: "the NOOR backend's disruption budget is removed",
    stack: PLATFORM,
    expect: "K8S-PDB",
    apply: (json) => removeResources(json, "kubernetes_pod_disruption_budget_v1", "product-noor_workload-backend"),
  },
  {
    kind: "stack",
    id: "k8s-netpol-egress-everything",
    description: "a workload network policy gets an egress rule with neither peers nor ports (egress to everything)",
    stack: PLATFORM,
    expect: "K8S-NETPOL-NO-ALLOW-ALL",
    apply: (json) => {
      const spec = child(resource(json, "kubernetes_network_policy_v1", "product-noor_workload-backend_network-policy"), "spec");
      spec.egress = [...((spec.egress as unknown[] | undefined) ?? []), {}];
    },
  },
  {
    kind: "stack",
    id: "k8s-default-deny-removed",
    description: "the NOOR namespace loses its default-deny policy",
    stack: PLATFORM,
    expect: "K8S-NETPOL",
    apply: (json) => removeResources(json, "kubernetes_network_policy_v1", "product-noor_namespace_default-deny"),
  },
  {
    kind: "stack",
    id: "k8s-namespace-privileged-without-reason",
    description: "a product namespace is labelled Pod Security privileged without a recorded reason",
    stack: PLATFORM,
    expect: "K8S-NS-PRIVILEGED-REASON",
    apply: (json) => {
      const labels = child(child(resource(json, "kubernetes_namespace_v1", "product-noor_namespace"), "metadata"), "labels", true);
      labels["pod-security.kubernetes.io/enforce"] = "privileged";
    },
  },
  {
    kind: "stack",
    id: "k8s-literal-password-env",
    description: "a literal DB_PASSWORD is written into the NOOR backend's environment",
    stack: PLATFORM,
    expect: "SECRET-LITERAL-CREDENTIAL",
    apply: (json) => {
      const container = firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND));
      container.env = [...((container.env as unknown[] | undefined) ?? []), { name: "LEGACY_DB_PASSWORD", value: "Tr0ub4dor&3-prod" }];
    },
  },
  {
    kind: "stack",
    id: "k8s-anthropic-key-env",
    description: "an Anthropic API key (sk-ant-) is pasted into a container variable",
    stack: PLATFORM,
    expect: "SECRET-TOKEN",
    apply: (json) => {
      const container = firstContainer(resource(json, "kubernetes_deployment_v1", BACKEND));
      const key = fake(["sk-", "ant-", "api03-", "Xq7vB2nLk9PzR4tW8yHc3JmD5fGs6KaE1uVo0iNbQwTe", "-", "AbCdEfGhIjKlMnOpQrStUvWx", "AA"]);
      container.env = [...((container.env as unknown[] | undefined) ?? []), { name: "CLAUDE_CONFIG", value: key }];
    },
  },
  {
    kind: "stack",
    id: "helm-values-aws-access-key",
    description: "an AWS access key pair is written into Helm values",
    stack: PLATFORM,
    expect: "SECRET-AWS-ACCESS-KEY",
    apply: (json) => {
      const release = resource(json, "helm_release", "addons_external-dns_release");
      const keyId = fake(["AKIA", "Q3XMPL7TZ", "2MNB4RW"]);
      release.values = [...((release.values as string[] | undefined) ?? []), `env:\n  - name: AWS_ACCESS_KEY_ID\n    value: "${keyId}"\n`];
    },
  },
  {
    kind: "stack",
    id: "sqs-unencrypted",
    description: "the Karpenter interruption queue loses server-side encryption",
    stack: PLATFORM,
    expect: "SQS-ENCRYPTED",
    apply: (json) => {
      const queue = resource(json, "aws_sqs_queue");
      queue.sqs_managed_sse_enabled = false;
      delete queue.kms_master_key_id;
    },
  },
  {
    kind: "stack",
    id: "literal-private-key-in-secret-version",
    description: "a PEM private key is stored as a literal secret value",
    stack: PLATFORM,
    expect: "SECRET-PRIVATE-KEY",
    apply: (json) =>
      addResource(json, PLATFORM, "aws_secretsmanager_secret_version", "tls-key", {
        secret_id: "acme-prod/noor/tls",
        secret_string: `${fake(["-----BEGIN ", "RSA PRIVATE", " KEY-----"])}\nMIIEowIBAAKCAQEA7bq1examplekeymaterialnotrealAAAA\n${fake(["-----END ", "RSA PRIVATE", " KEY-----"])}\n`,
      }),
  },
];

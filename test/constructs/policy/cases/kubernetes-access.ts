import { Release } from "@cdktf/provider-helm/lib/release";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1, type ClusterRoleV1Rule } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1, type NetworkPolicyV1Spec } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { POD_SECURITY_REASON_ANNOTATION } from "../../../../constructs/core/pod-security";
import { container, workload } from "./kubernetes";
import type { RuleCase } from "./support";

const RBAC = "rbac.authorization.k8s.io";
const GROUP = [{ kind: "Group", name: "platform:ci-plan", apiGroup: RBAC }];

function clusterRole(scope: Construct, rules: ClusterRoleV1Rule[], labels: Record<string, string> = {}): ClusterRoleV1 {
  return new ClusterRoleV1(scope, "role", { metadata: { name: "reader", labels }, rule: rules });
}

function clusterBinding(scope: Construct, roleName: string): ClusterRoleBindingV1 {
  return new ClusterRoleBindingV1(scope, "binding", { metadata: { name: "reader" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName }, subject: GROUP });
}

function namespaceBinding(scope: Construct, roleName: string, id = "binding"): RoleBindingV1 {
  return new RoleBindingV1(scope, id, { metadata: { name: "reader", namespace: "shop" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: roleName }, subject: GROUP });
}

function chart(scope: Construct, values: Record<string, unknown>): void {
  new Release(scope, "agent", { name: "agent", chart: "fluent-bit", repository: "https://fluent.github.io/helm-charts", version: "0.54.0", namespace: "logging", values: [stringify(values)] });
}

function policy(scope: Construct, spec: NetworkPolicyV1Spec): void {
  new NetworkPolicyV1(scope, "policy", { metadata: { name: "allow", namespace: "shop" }, spec });
}

const READ = { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] };
const SECRETS = { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] };
const REASON = "node agent reads /var/log of its node through a hostPath volume";

export const KUBERNETES_ACCESS_CASES: readonly RuleCase[] = [
  {
    rule: "K8S-RBAC-CLUSTER-ADMIN",
    compliant: (s) => {
      const role = clusterRole(s, [READ]);
      clusterBinding(s, role.metadata.name);
    },
    violating: (s) => clusterBinding(s, "cluster-admin"),
    expect: /ClusterRoleBinding binds ClusterRole cluster-admin to Group platform:ci-plan/,
  },
  {
    rule: "K8S-RBAC-CLUSTER-ADMIN",
    name: "a role of its own with every verb on everything, and manifests",
    compliant: (s) => new Manifest(s, "binding", { manifest: { apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name: "edit", namespace: "shop" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" }, subjects: GROUP } }),
    violating: (s) => {
      const role = clusterRole(s, [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]);
      clusterBinding(s, role.metadata.name);
      new Manifest(s, "admin-binding", { manifest: { apiVersion: `${RBAC}/v1`, kind: "RoleBinding", metadata: { name: "admin", namespace: "shop" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "cluster-admin" }, subjects: GROUP } });
    },
    expect: [/binds ClusterRole reader, which allows every verb on every resource/, /RoleBinding \(manifest\) binds ClusterRole cluster-admin/],
  },
  {
    rule: "K8S-RBAC-WILDCARD",
    compliant: (s) => clusterRole(s, [READ]),
    violating: (s) => {
      clusterRole(s, [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get"] }, { apiGroups: [""], resources: ["pods"], verbs: ["*"] }]);
      new RoleV1(s, "ns-role", { metadata: { name: "all-groups", namespace: "shop" }, rule: [{ apiGroups: ["*"], resources: ["deployments"], verbs: ["get"] }] });
    },
    expect: [/ClusterRole reader rule 0 has "\*" in resources/, /rule 1 has "\*" in verbs/, /Role all-groups rule 0 has "\*" in apiGroups/],
  },
  {
    rule: "K8S-RBAC-WILDCARD",
    name: "rules in Helm values and computed rules",
    compliant: (s) => chart(s, { extraObjects: [{ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: "agent" }, rules: [READ] }] }),
    violating: (s) => {
      chart(s, { extraObjects: [{ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: "agent" }, rules: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] }] });
      const role = clusterRole(s, []);
      role.addOverride("rule", [{ api_groups: ["${var.groups}"], resources: ["pods"], verbs: ["get"] }]);
    },
    expect: [/ClusterRole agent \(values extraObjects\[0\]\) rule 0 has "\*" in resources/, /expressions known only at plan time, so it cannot be shown free of wildcards/],
  },
  {
    rule: "K8S-RBAC-SECRETS",
    compliant: (s) => {
      const role = clusterRole(s, [SECRETS]);
      namespaceBinding(s, role.metadata.name);
      namespaceBinding(s, "a-role-from-another-stack", "other-binding");
    },
    violating: (s) => {
      const role = clusterRole(s, [SECRETS]);
      clusterBinding(s, role.metadata.name);
    },
    expect: /ClusterRoleBinding lets Group platform:ci-plan read Secrets in every namespace through ClusterRole reader/,
  },
  {
    rule: "K8S-RBAC-SECRETS",
    name: "built-in and unknown roles, aggregation into view",
    compliant: (s) => {
      clusterBinding(s, "view");
      clusterRole(s, [READ], { "rbac.authorization.k8s.io/aggregate-to-view": "true" });
    },
    violating: (s) => {
      clusterBinding(s, "edit");
      new ClusterRoleBindingV1(s, "unknown", { metadata: { name: "unknown" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "from-somewhere" }, subject: GROUP });
      clusterRole(s, [SECRETS], { "rbac.authorization.k8s.io/aggregate-to-view": "true" });
    },
    expect: [/read Secrets in every namespace through ClusterRole edit/, /binds ClusterRole from-somewhere, which this stack does not define/, /reads Secrets and aggregates into view/],
  },
  {
    rule: "K8S-NO-ADDED-CAPABILITIES",
    compliant: (s) => workload(s, { container: container({ securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } }) }),
    violating: (s) => workload(s, { container: container({ securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_ADMIN", "NET_ADMIN"] } } }) }),
    expect: /container "api" adds capabilities SYS_ADMIN, NET_ADMIN/,
  },
  {
    rule: "K8S-NO-ADDED-CAPABILITIES",
    name: "Helm values, set entries and manifests",
    compliant: (s) => chart(s, { securityContext: { capabilities: { drop: ["ALL"] } } }),
    violating: (s) => {
      chart(s, { securityContext: { capabilities: { drop: ["ALL"], add: ["SYS_PTRACE"] } } });
      new Release(s, "other", { name: "other", chart: "metrics-server", repository: "https://kubernetes-sigs.github.io/metrics-server", version: "3.13.0", set: [{ name: "securityContext.capabilities.add[0]", value: "NET_RAW" }] });
      new Manifest(s, "pod", { manifest: { apiVersion: "v1", kind: "Pod", metadata: { name: "debug", namespace: "shop" }, spec: { containers: [{ name: "debug", image: "busybox:1.37", securityContext: { capabilities: { add: ["CAP_SYS_ADMIN"] } } }] } } });
    },
    expect: [/values securityContext\.capabilities\.add adds SYS_PTRACE/, /set securityContext\.capabilities\.add\[0\] adds NET_RAW/, /Pod \(manifest\) spec\.containers\[0\]\.securityContext\.capabilities\.add adds CAP_SYS_ADMIN/],
  },
  {
    rule: "K8S-NS-PRIVILEGED-REASON",
    compliant: (s) => {
      new NamespaceV1(s, "ns", { metadata: { name: "logging", labels: { "pod-security.kubernetes.io/enforce": "privileged" }, annotations: { [POD_SECURITY_REASON_ANNOTATION]: REASON } } });
      new NamespaceV1(s, "apps", { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
    },
    violating: (s) => {
      new NamespaceV1(s, "ns", { metadata: { name: "logging", labels: { "pod-security.kubernetes.io/enforce": "privileged" }, annotations: { [POD_SECURITY_REASON_ANNOTATION]: "needed" } } });
      new NamespaceV1(s, "apps", { metadata: { name: "apps" } });
    },
    expect: [/namespace "logging" is labelled pod-security\.kubernetes\.io\/enforce: privileged without a platform-iac\/pod-security-reason annotation/, /namespace "apps" has no pod-security\.kubernetes\.io\/enforce label/],
  },
  {
    rule: "K8S-NETPOL-NO-ALLOW-ALL",
    compliant: (s) =>
      policy(s, {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }],
        egress: [{ ports: [{ port: "443", protocol: "TCP" }] }],
      }),
    violating: (s) => {
      policy(s, { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }, {}], egress: [{}] });
      new Manifest(s, "open", { manifest: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "open", namespace: "shop" }, spec: { podSelector: {}, egress: [{}] } } });
    },
    expect: [/ingress rule 1 has neither from peers nor ports/, /egress rule 0 has neither to peers nor ports: it allows all traffic \(egress \{\}\)/, /NetworkPolicy \(manifest\) egress rule 0/],
  },
];

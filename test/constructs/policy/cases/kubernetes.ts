import type { DeploymentV1SpecTemplateSpec, DeploymentV1SpecTemplateSpecContainer } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2, type HorizontalPodAutoscalerV2Spec } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1, type NetworkPolicyV1Spec } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import type { Construct } from "constructs";
import { DeploymentV1 } from "../../../../constructs/core/kubernetes-workload-resources";
import type { RuleCase } from "./support";

const LABELS = { "app.kubernetes.io/name": "api" };
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.2@sha256:3f1b6a9c0d2e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a";

export function container(overrides: Partial<DeploymentV1SpecTemplateSpecContainer> = {}): DeploymentV1SpecTemplateSpecContainer {
  return {
    name: "api",
    image: IMAGE,
    port: [{ containerPort: 8080, name: "http" }],
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    readinessProbe: { httpGet: { path: "/ready", port: "http" } },
    livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    },
    ...overrides,
  };
}

interface DeploymentOptions {
  readonly replicas?: string;
  readonly container?: Partial<DeploymentV1SpecTemplateSpecContainer>;
  readonly pod?: Partial<DeploymentV1SpecTemplateSpec>;
  readonly namespace?: string;
}

/** A namespace with default-deny policies, a hardened 3-replica Deployment spread over zones, and its PDB. */
export function workload(scope: Construct, options: DeploymentOptions = {}): DeploymentV1 {
  const namespace = new NamespaceV1(scope, "ns", { metadata: { name: options.namespace ?? "shop" } });
  return new DeploymentV1(scope, "api", {
    metadata: { name: "api", namespace: namespace.metadata.name },
    spec: {
      replicas: options.replicas ?? "3",
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: "10001", seccompProfile: { type: "RuntimeDefault" } },
          container: [container(options.container)],
          topologySpreadConstraint: [{ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector: [{ matchLabels: LABELS }] }],
          ...options.pod,
        },
      },
    },
  });
}

function pdb(scope: Construct, spec: { maxUnavailable?: string; minAvailable?: string }, labels: Record<string, string> = LABELS): void {
  new PodDisruptionBudgetV1(scope, "api-pdb", { metadata: { name: "api", namespace: "shop" }, spec: { selector: { matchLabels: labels }, ...spec } });
}

function hpa(scope: Construct, target: DeploymentV1, spec: Partial<HorizontalPodAutoscalerV2Spec> = {}): void {
  new HorizontalPodAutoscalerV2(scope, "api-hpa", {
    metadata: { name: "api", namespace: "shop" },
    spec: {
      minReplicas: 3,
      maxReplicas: 10,
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target.config.metadata.name ?? "" },
      metric: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      ...spec,
    },
  });
}

function denyAll(scope: Construct, types: string[] = ["Ingress", "Egress"], extra?: NetworkPolicyV1Spec): void {
  new NetworkPolicyV1(scope, "default-deny", { metadata: { name: "default-deny", namespace: "shop" }, spec: { podSelector: {}, policyTypes: types } });
  if (extra) new NetworkPolicyV1(scope, "allow", { metadata: { name: "allow", namespace: "shop" }, spec: extra });
}

export const KUBERNETES_CASES: readonly RuleCase[] = [
  {
    rule: "K8S-REQUESTS-LIMITS",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { container: { resources: { requests: { cpu: "250m" } } } }),
    expect: /container "api": no memory request/,
  },
  {
    rule: "K8S-PROBES",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { container: { livenessProbe: undefined } }),
    expect: /no liveness_probe/,
  },
  {
    rule: "K8S-NON-ROOT",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { pod: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } }, container: { securityContext: { runAsUser: "0" } } }),
    expect: /run_as_user is 0 \(root\)/,
  },
  {
    rule: "K8S-READONLY-ROOTFS",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { container: { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } } }),
    expect: /read_only_root_filesystem is not true/,
  },
  {
    rule: "K8S-NO-PRIVILEGED",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { pod: { securityContext: { runAsNonRoot: true } }, container: { securityContext: { privileged: true, readOnlyRootFilesystem: true } } }),
    expect: [/privileged is true/, /allow_privilege_escalation is not false/, /capabilities\.drop does not include ALL/, /seccomp profile is not set/],
  },
  {
    rule: "K8S-NO-HOST-NS",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { pod: { hostNetwork: true, volume: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] } }),
    expect: [/host_network is true/, /volume "docker" is a hostPath/],
  },
  {
    rule: "K8S-IMAGE-PINNED",
    compliant: (s) => workload(s, { container: { image: "ghcr.io/acme/api:1.4.2" } }),
    violating: (s) => workload(s, { container: { image: "ghcr.io/acme/api:latest" } }),
    expect: /image ghcr\.io\/acme\/api:latest is not pinned/,
  },
  {
    rule: "K8S-IMAGE-PINNED",
    name: "registry port is not a tag",
    compliant: (s) => workload(s, { container: { image: "registry.local:5000/acme/api:2.0.0" } }),
    violating: (s) => workload(s, { container: { image: "registry.local:5000/acme/api" } }),
    expect: /is not pinned \(no tag or "latest"\)/,
  },
  {
    rule: "K8S-IMAGE-DIGEST",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { container: { image: "ghcr.io/acme/api:1.4.2" } }),
    expect: /image ghcr\.io\/acme\/api:1\.4\.2 has no digest/,
  },
  {
    rule: "K8S-PDB",
    compliant: (s) => {
      workload(s);
      pdb(s, { maxUnavailable: "1" });
    },
    violating: (s) => {
      workload(s);
      pdb(s, { maxUnavailable: "1" }, { "app.kubernetes.io/name": "web" });
    },
    expect: /3 replicas and no PodDisruptionBudget selects its pods/,
  },
  {
    rule: "K8S-PDB",
    name: "budget that blocks drains, replicas from the HPA",
    compliant: (s) => {
      hpa(s, workload(s, { replicas: "1" }));
      pdb(s, { minAvailable: "2" });
    },
    violating: (s) => {
      hpa(s, workload(s, { replicas: "1" }));
      pdb(s, { minAvailable: "100%" });
    },
    expect: /allows no eviction: node drains block/,
  },
  {
    rule: "K8S-HPA-SANE",
    compliant: (s) => hpa(s, workload(s)),
    violating: (s) => {
      workload(s);
      new HorizontalPodAutoscalerV2(s, "api-hpa", {
        metadata: { name: "api", namespace: "shop" },
        spec: { minReplicas: 12, maxReplicas: 10, scaleTargetRef: { kind: "Deployment", name: "apii" } },
      });
    },
    expect: [/min_replicas 12 exceeds max_replicas 10/, /does not name a workload/, /no metric/],
  },
  {
    rule: "K8S-HPA-SANE",
    name: "production minimum",
    compliant: (s) => hpa(s, workload(s), { minReplicas: 2 }),
    violating: (s) => hpa(s, workload(s), { minReplicas: 1 }),
    expect: /min_replicas is 1; at least 2 required in production/,
  },
  {
    rule: "K8S-HA-SPREAD",
    compliant: (s) => workload(s),
    violating: (s) => workload(s, { replicas: "1", pod: { topologySpreadConstraint: [] } }),
    expect: [/runs 1 replica\(s\)/, /no topology spread/],
  },
  {
    rule: "K8S-NETPOL",
    compliant: (s) => {
      workload(s);
      denyAll(s, ["Ingress", "Egress"], {
        podSelector: { matchLabels: LABELS },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
      });
    },
    violating: (s) => {
      workload(s);
      denyAll(s, ["Ingress"], { podSelector: { matchLabels: LABELS }, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] });
    },
    expect: [/namespace shop has no default-deny NetworkPolicy for Egress/, /ingress rules admit ip_blocks 0\.0\.0\.0\/0/],
  },
  {
    rule: "K8S-NETPOL",
    name: "ip_blocks that add up to the internet",
    compliant: (s) => {
      workload(s);
      denyAll(s, ["Ingress", "Egress"], { podSelector: { matchLabels: LABELS }, policyTypes: ["Ingress"], ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/1", except: ["0.0.0.0/2", "64.0.0.0/2"] } }, { ipBlock: { cidr: "10.0.0.0/8" } }] }] });
    },
    violating: (s) => {
      workload(s);
      denyAll(s, ["Ingress", "Egress"], {
        podSelector: { matchLabels: LABELS },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/1" } }] }, { from: [{ ipBlock: { cidr: "128.0.0.0/1" } }] }],
        egress: [{ to: [{ ipBlock: { cidr: "::/1" } }, { ipBlock: { cidr: "8000::/1" } }] }],
      });
    },
    expect: [/ingress rules admit ip_blocks 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 \(together/, /egress rules allow ip_blocks ::\/1, 8000::\/1 .* without except/],
  },
];

import { describe, expect, it } from "vitest";
import { AppNamespace, type AppNamespaceProps } from "../../../constructs/app-namespace";
import { resourceList, synthConstruct, type Synthesized } from "../../support/synth";
import type { Json } from "../workload/fixtures";

const LIMITS = {
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  default: { cpu: "500m", memory: "512Mi" },
  max: { cpu: "8", memory: "16Gi" },
};

function props(overrides: Partial<AppNamespaceProps> = {}): AppNamespaceProps {
  return {
    name: "shop",
    product: "shop",
    quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 20 },
    limitRange: LIMITS,
    ...overrides,
  };
}

const synth = (overrides: Partial<AppNamespaceProps> = {}) => synthConstruct((scope) => new AppNamespace(scope, "namespace", props(overrides)));
const one = (json: Synthesized, type: string) => resourceList(json, type)[0] as Json;

describe("AppNamespace defaults", () => {
  const { json } = synth();

  it("enforces the restricted Pod Security Standard and ALB readiness gates", () => {
    expect(one(json, "kubernetes_namespace_v1").metadata).toEqual({
      name: "shop",
      labels: {
        "app.kubernetes.io/part-of": "shop",
        "app.kubernetes.io/managed-by": "cdktf",
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
      },
    });
  });

  it("sets a resource quota and a container limit range", () => {
    expect(one(json, "kubernetes_resource_quota_v1").spec.hard).toEqual({
      "requests.cpu": "4",
      "requests.memory": "8Gi",
      "limits.cpu": "8",
      "limits.memory": "16Gi",
      pods: "20",
    });
    expect(one(json, "kubernetes_limit_range_v1").spec.limit).toEqual([
      { type: "Container", default_request: LIMITS.defaultRequest, default: LIMITS.default, max: LIMITS.max },
    ]);
  });

  it("denies all ingress and egress by default and allows DNS to the cluster resolver only", () => {
    const policies = resourceList(json, "kubernetes_network_policy_v1") as Json[];
    const deny = policies.find((p) => p.metadata.name === "default-deny");
    expect(deny.spec).toEqual({ pod_selector: {}, policy_types: ["Ingress", "Egress"] });
    const dns = policies.find((p) => p.metadata.name === "allow-dns");
    expect(dns.spec.policy_types).toEqual(["Egress"]);
    expect(dns.spec.egress).toEqual([
      {
        to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "kube-system" } }, pod_selector: { match_labels: { "k8s-app": "kube-dns" } } }],
        ports: [
          { port: "53", protocol: "UDP" },
          { port: "53", protocol: "TCP" },
        ],
      },
    ]);
    for (const policy of policies) expect(policy.metadata.namespace).toContain("kubernetes_namespace_v1.");
  });

  it("takes a baseline level and extra labels when asked", () => {
    const labels = one(synth({ podSecurity: "baseline", labels: { tenant: "globex" } }).json, "kubernetes_namespace_v1").metadata.labels;
    expect(labels).toMatchObject({ tenant: "globex", "pod-security.kubernetes.io/enforce": "baseline" });
  });
});

describe("AppNamespace validation", () => {
  it("rejects a namespace name Kubernetes would refuse", () => {
    expect(() => synth({ name: "Shop_1" })).toThrow(/invalid k8s-name name "Shop_1"/);
  });

  it("rejects unparseable quota and limit quantities", () => {
    expect(() => synth({ quota: { requestsCpu: "four", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 20 } })).toThrow(/quota.requestsCpu "four" is not a CPU quantity/);
    expect(() => synth({ limitRange: { ...LIMITS, max: { cpu: "8", memory: "16GB" } } })).toThrow(/limitRange.max.memory "16GB" is not a memory quantity/);
  });

  it("rejects default requests above default limits and defaults above the maximum", () => {
    expect(() => synth({ limitRange: { ...LIMITS, defaultRequest: { cpu: "1", memory: "128Mi" } } })).toThrow(/limitRange.defaultRequest.cpu 1 is above limitRange.default.cpu 500m/);
    expect(() => synth({ limitRange: { ...LIMITS, max: { cpu: "250m", memory: "16Gi" } } })).toThrow(/limitRange.default.cpu 500m is above limitRange.max.cpu 250m/);
  });

  it("rejects a pod quota below one", () => {
    expect(() => synth({ quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi", pods: 0 } })).toThrow(/quota.pods 0 must be a whole number >= 1/);
  });
});

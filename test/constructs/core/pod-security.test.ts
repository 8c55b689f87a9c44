import { describe, expect, it } from "vitest";
import { POD_SECURITY_REASON_ANNOTATION, podSecurityMetadata } from "../../../constructs/core/pod-security";
import { LOGGING_PRIVILEGED_REASON } from "../../../constructs/logging";
import { MONITORING_PRIVILEGED_REASON } from "../../../constructs/monitoring";
import { MIN_POD_SECURITY_REASON_LENGTH } from "../../../constructs/policy/rules/kubernetes-access";

describe("Pod Security metadata", () => {
  it("labels enforce, audit and warn", () => {
    expect(podSecurityMetadata("baseline", "restricted")).toEqual({
      labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
      annotations: {},
    });
  });

  it("records why a namespace is privileged, and refuses a privileged one without a reason", () => {
    expect(podSecurityMetadata("privileged", "restricted", "  node agent   reads host logs ").annotations).toEqual({ [POD_SECURITY_REASON_ANNOTATION]: "node agent reads host logs" });
    expect(() => podSecurityMetadata("privileged", "restricted")).toThrow(/needs the reason/);
  });

  it("gives the platform's privileged namespaces reasons the policy pack accepts", () => {
    for (const reason of [LOGGING_PRIVILEGED_REASON, MONITORING_PRIVILEGED_REASON]) expect(reason.length).toBeGreaterThanOrEqual(MIN_POD_SECURITY_REASON_LENGTH);
  });
});

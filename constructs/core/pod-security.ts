/**
 * Pod Security admission metadata of the namespaces the platform creates (Kubernetes Pod Security Standards:
 * https://kubernetes.io/docs/concepts/security/pod-security-admission/). A namespace enforcing `privileged` must say
 * why in the POD_SECURITY_REASON_ANNOTATION annotation: policy rule K8S-NS-PRIVILEGED-REASON fails without it.
 * Pure (no cdktf imports).
 */

export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const POD_SECURITY_AUDIT_LABEL = "pod-security.kubernetes.io/audit";
export const POD_SECURITY_WARN_LABEL = "pod-security.kubernetes.io/warn";
/** Annotation recording why a namespace is privileged (read by reviewers and the policy pack). */
export const POD_SECURITY_REASON_ANNOTATION = "platform-iac/pod-security-reason";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityMetadata {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * Labels that enforce `enforce` and audit/warn at `auditAndWarn`, and, for a privileged namespace, the annotation with
 * the reason. Throws when a privileged level comes without a reason.
 */
export function podSecurityMetadata(enforce: PodSecurityLevel, auditAndWarn: PodSecurityLevel, reason?: string): PodSecurityMetadata {
  if (enforce === "privileged" && (reason === undefined || reason.trim() === "")) {
    throw new Error("podSecurityMetadata: a namespace enforcing privileged needs the reason (what on it needs host access)");
  }
  return {
    labels: { [POD_SECURITY_ENFORCE_LABEL]: enforce, [POD_SECURITY_AUDIT_LABEL]: auditAndWarn, [POD_SECURITY_WARN_LABEL]: auditAndWarn },
    annotations: enforce === "privileged" && reason ? { [POD_SECURITY_REASON_ANNOTATION]: reason.replace(/\s+/g, " ").trim() } : {},
  };
}

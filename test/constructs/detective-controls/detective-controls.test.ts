import { describe, expect, it } from "vitest";
import type { ControlConfig, DetectiveControl } from "../../../config/schema/accounts";
import { AuditLogs } from "../../../constructs/audit-logs";
import { DetectiveControls, GUARDDUTY_FEATURES, type DetectiveControlsProps } from "../../../constructs/detective-controls";
import { resourceList, synthConstruct, TEST_ACCOUNT } from "../../support/synth";

const PLATFORM: Record<DetectiveControl, ControlConfig> = { cloudTrail: { managedBy: "platform" }, guardDuty: { managedBy: "platform" }, config: { managedBy: "platform" }, accessAnalyzer: { managedBy: "platform" } };

function controls(props: Partial<DetectiveControlsProps> = {}, withLogs = true) {
  return synthConstruct((scope) => {
    const auditLogs = withLogs
      ? new AuditLogs(scope, "audit", { account: TEST_ACCOUNT, bucketName: "acme-audit-logs", keyAlias: "alias/acme-audit-logs", trailNames: ["acme-audit"], config: true, retentionDays: 2557, lockDays: 365, lockMode: "COMPLIANCE" })
      : undefined;
    return new DetectiveControls(scope, "controls", { account: TEST_ACCOUNT, prefix: "acme", controls: PLATFORM, regions: ["eu-west-1", "eu-central-1"], ...(auditLogs ? { auditLogs } : {}), dataEventBuckets: ["acme-tfstate"], ...props });
  });
}

describe("DetectiveControls", () => {
  const { json } = controls();

  it("creates one multi-region trail with log-file validation, KMS, S3 data events of the state bucket, after the bucket policy", () => {
    const [trail] = resourceList(json, "aws_cloudtrail");
    expect(trail).toMatchObject({ name: "acme-audit", is_multi_region_trail: true, enable_log_file_validation: true, include_global_service_events: true, s3_key_prefix: "cloudtrail" });
    expect(trail!.kms_key_id).toMatch(/^\$\{aws_kms_key\.audit_key_/);
    expect(JSON.stringify(trail!.advanced_event_selector)).toContain('"starts_with":["arn:aws:s3:::acme-tfstate/"]');
    expect(trail!.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.audit_bucket-policy_/)]);
  });

  it("enables GuardDuty with EKS audit logs and runtime monitoring (agent managed) in every region", () => {
    expect(resourceList(json, "aws_guardduty_detector").map((detector) => detector.region ?? "home").sort()).toEqual(["eu-central-1", "home"]);
    const features = resourceList(json, "aws_guardduty_detector_feature");
    expect(features).toHaveLength(2 * GUARDDUTY_FEATURES.length);
    expect(features.find((feature) => feature.name === "RUNTIME_MONITORING")).toMatchObject({ status: "ENABLED", additional_configuration: [{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }] });
  });

  it("records AWS Config in every region (global resources in the home region only), delivered to the audit bucket and switched on", () => {
    const recorders = resourceList(json, "aws_config_configuration_recorder");
    expect(recorders.map((recorder) => [recorder.region ?? "home", recorder.recording_group]).sort()).toEqual([
      ["eu-central-1", { all_supported: true, include_global_resource_types: false }],
      ["home", { all_supported: true, include_global_resource_types: true }],
    ]);
    expect(recorders[0]!.role_arn).toBe("arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig");
    expect(resourceList(json, "aws_config_delivery_channel")).toHaveLength(2);
    expect(resourceList(json, "aws_config_configuration_recorder_status").every((status) => status.is_enabled === true)).toBe(true);
    expect(resourceList(json, "aws_accessanalyzer_analyzer").map((analyzer) => analyzer.type)).toEqual(["ACCOUNT", "ACCOUNT"]);
    expect(json.output?.detective_controls).toEqual({ value: { cloudTrail: "platform", guardDuty: "platform", config: "platform", accessAnalyzer: "platform" } });
  });

  it("creates nothing for a control the organization manages, and records why", () => {
    const organization = { managedBy: "organization" as const, reason: "Control Tower organization trail and recorder" };
    const { json: central } = controls({ controls: { ...PLATFORM, cloudTrail: organization, config: organization } });
    expect(resourceList(central, "aws_cloudtrail")).toEqual([]);
    expect(resourceList(central, "aws_config_configuration_recorder")).toEqual([]);
    expect(resourceList(central, "aws_guardduty_detector")).toHaveLength(2);
    expect((central.output!.detective_controls as { value: Record<string, string> }).value.cloudTrail).toBe("organization: Control Tower organization trail and recorder");
  });

  it("rejects a platform-managed trail or recorder without the audit bucket", () => {
    expect(() => controls({}, false)).toThrow(/needs the audit log bucket/);
  });
});

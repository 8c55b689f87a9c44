/**
 * Account baseline rules: an account stack (it declares its detective controls in the `detective_controls` output,
 * or it holds the CI identity: the GitHub OIDC provider) has each detective control present, or declared as managed
 * by the organization with a reason (constructs/detective-controls).
 */
import { DETECTIVE_CONTROLS, MIN_REASON_LENGTH, type DetectiveControl } from "../../../config/schema/accounts";
import { GITHUB_OIDC_HOST } from "../../core/github-oidc";
import { blocks, isTrue, literal, type StackModel } from "../model";
import type { Rule, Violation } from "../types";

/** The output an account stack declares its controls in (constructs/detective-controls DETECTIVE_CONTROLS_OUTPUT). */
export const DETECTIVE_CONTROLS_OUTPUT = "detective_controls";

function declarations(model: StackModel): Record<string, unknown> | undefined {
  const output = model.json.output?.[DETECTIVE_CONTROLS_OUTPUT];
  const value = output?.value;
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
}

function holdsCiIdentity(model: StackModel): boolean {
  return model.resources("aws_iam_openid_connect_provider").some((provider) => (literal(provider.body.url) ?? "").includes(GITHUB_OIDC_HOST));
}

/** What is missing for a platform-managed control; empty when it is there. */
function missing(model: StackModel, control: DetectiveControl): string[] {
  switch (control) {
    case "cloudTrail": {
      const trails = model.resources("aws_cloudtrail");
      const good = trails.some((trail) => isTrue(trail.body.is_multi_region_trail) && isTrue(trail.body.enable_log_file_validation) && typeof trail.body.kms_key_id === "string");
      return good ? [] : ["no multi-region CloudTrail trail with log-file validation and KMS encryption"];
    }
    case "guardDuty": {
      const detectors = model.resources("aws_guardduty_detector").filter((detector) => detector.body.enable !== false);
      if (detectors.length === 0) return ["no enabled GuardDuty detector"];
      const features = model.resources("aws_guardduty_detector_feature");
      return detectors.flatMap((detector) =>
        ["EKS_AUDIT_LOGS", "RUNTIME_MONITORING"]
          .filter((name) => !features.some((feature) => model.refersTo(feature.body.detector_id, detector) && feature.body.name === name && feature.body.status === "ENABLED"))
          .map((name) => `GuardDuty detector ${detector.path} does not enable ${name}`),
      );
    }
    case "config": {
      const recorders = model.resources("aws_config_configuration_recorder");
      const channels = model.resources("aws_config_delivery_channel");
      const enabled = model.resources("aws_config_configuration_recorder_status").filter((status) => isTrue(status.body.is_enabled));
      if (recorders.length === 0) return ["no AWS Config configuration recorder"];
      const out: string[] = [];
      if (channels.length < recorders.length) out.push("an AWS Config recorder has no delivery channel");
      if (enabled.length < recorders.length) out.push("an AWS Config recorder is not switched on (aws_config_configuration_recorder_status is_enabled)");
      if (recorders.some((recorder) => blocks(recorder.body.recording_group).every((group) => !isTrue(group.all_supported)))) out.push("an AWS Config recorder does not record all supported resource types");
      return out;
    }
    case "accessAnalyzer":
      return model.resources("aws_accessanalyzer_analyzer").length > 0 ? [] : ["no IAM Access Analyzer analyzer"];
  }
}

export const ACCOUNT_RULES: readonly Rule[] = [
  {
    id: "ACCOUNT-DETECTIVE-CONTROLS",
    title: "An account baseline has CloudTrail, GuardDuty, AWS Config and IAM Access Analyzer, or declares them the organization's",
    severity: "high",
    scope: "all",
    upstream: "CIS AWS Foundations 3.1/3.2/3.5, 4.x; AWS Security Hub CloudTrail.1/4, GuardDuty.1, Config.1, IAM Access Analyzer",
    fix: "Leave project.yaml accounts.<name>.controls.<control> at managedBy: platform (the account stack creates it), or declare managedBy: organization with the reason (e.g. the Control Tower organization trail).",
    check: ({ model }) => {
      const declared = declarations(model);
      if (declared === undefined) {
        return holdsCiIdentity(model) ? [{ message: `the stack holds the CI identity but declares no detective controls (output ${DETECTIVE_CONTROLS_OUTPUT}): an account baseline creates or declares each control` }] : [];
      }
      const out: Violation[] = [];
      for (const control of DETECTIVE_CONTROLS) {
        const value = declared[control];
        if (value === "platform") {
          out.push(...missing(model, control).map((message) => ({ message: `${control}: ${message}` })));
        } else if (typeof value === "string" && value.startsWith("organization:")) {
          if (value.slice("organization:".length).trim().length < MIN_REASON_LENGTH) out.push({ message: `${control} is declared the organization's without a reason` });
        } else {
          out.push({ message: `${control} is neither created (platform) nor declared the organization's: ${JSON.stringify(value)}` });
        }
      }
      return out;
    },
  },
];

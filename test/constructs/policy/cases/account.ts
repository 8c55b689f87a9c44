import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

type Declared = Record<"cloudTrail" | "guardDuty" | "config" | "accessAnalyzer", string>;
const ALL_PLATFORM: Declared = { cloudTrail: "platform", guardDuty: "platform", config: "platform", accessAnalyzer: "platform" };

function declare(scope: Construct, declared: Declared): void {
  new TerraformOutput(scope, "detective_controls", { staticId: true, value: declared });
}

/** Every control present, as the account stack creates them. */
function controls(scope: Construct, options: { trail?: boolean; runtime?: boolean } = {}): void {
  if (options.trail ?? true) {
    new Cloudtrail(scope, "trail", { name: "acme-audit", s3BucketName: "acme-audit-logs", isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: KEY_ARN });
  }
  const detector = new GuarddutyDetector(scope, "detector", { enable: true });
  for (const name of options.runtime === false ? ["EKS_AUDIT_LOGS"] : ["EKS_AUDIT_LOGS", "RUNTIME_MONITORING"]) {
    new GuarddutyDetectorFeature(scope, `feature-${name}`, { detectorId: detector.id, name, status: "ENABLED" });
  }
  const recorder = new ConfigConfigurationRecorder(scope, "recorder", { name: "acme-recorder", roleArn: "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", recordingGroup: { allSupported: true } });
  new ConfigDeliveryChannel(scope, "channel", { name: "acme-delivery", s3BucketName: "acme-audit-logs", dependsOn: [recorder] });
  new ConfigConfigurationRecorderStatus(scope, "status", { name: recorder.name, isEnabled: true });
  new AccessanalyzerAnalyzer(scope, "analyzer", { analyzerName: "acme-external-access", type: "ACCOUNT" });
}

export const ACCOUNT_CASES: readonly RuleCase[] = [
  {
    rule: "ACCOUNT-DETECTIVE-CONTROLS",
    compliant: (s) => {
      declare(s, ALL_PLATFORM);
      controls(s);
    },
    violating: (s) => {
      declare(s, ALL_PLATFORM);
      controls(s, { trail: false, runtime: false });
    },
    expect: [/cloudTrail: no multi-region CloudTrail trail/, /does not enable RUNTIME_MONITORING/],
  },
  {
    rule: "ACCOUNT-DETECTIVE-CONTROLS",
    name: "declared the organization's",
    compliant: (s) => {
      declare(s, { ...ALL_PLATFORM, cloudTrail: "organization: Control Tower organization trail in the log archive account" });
      controls(s, { trail: false });
    },
    violating: (s) => {
      declare(s, { ...ALL_PLATFORM, cloudTrail: "organization: ", config: "none" });
      controls(s, { trail: false });
    },
    expect: [/cloudTrail is declared the organization's without a reason/, /config is neither created \(platform\) nor declared the organization's/],
  },
  {
    rule: "ACCOUNT-DETECTIVE-CONTROLS",
    name: "a stack holding the CI identity without a baseline",
    compliant: (s) => {
      declare(s, ALL_PLATFORM);
      controls(s);
      new IamOpenidConnectProvider(s, "github", { url: "https://token.actions.githubusercontent.com", clientIdList: ["sts.amazonaws.com"] });
    },
    violating: (s) => new IamOpenidConnectProvider(s, "github", { url: "https://token.actions.githubusercontent.com", clientIdList: ["sts.amazonaws.com"] }),
    expect: /holds the CI identity but declares no detective controls/,
  },
];

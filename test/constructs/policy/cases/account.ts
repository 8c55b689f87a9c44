import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { TerraformOutput, TerraformResource, type TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ACCOUNT, KEY_ARN, type RuleCase } from "./support";

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

/**
 * An account baseline stack: the fixture's own provider is replaced when it names another account or region, and with
 * `viaAlias` the controls are created through an aliased provider of the fixture's region (the default one elsewhere).
 */
function baseline(options: { account?: string; region?: string; viaAlias?: boolean } = {}): (scope: Construct) => void {
  return (s) => {
    const stack = s as TerraformStack;
    if (options.account !== undefined || options.region !== undefined || options.viaAlias) {
      const provider = stack.node.findAll().find((node): node is AwsProvider => node instanceof AwsProvider);
      if (provider !== undefined) {
        provider.allowedAccountIds = [options.account ?? ACCOUNT];
        provider.region = options.viaAlias ? "us-east-1" : (options.region ?? "eu-west-1");
      }
    }
    declare(s, ALL_PLATFORM);
    if (options.viaAlias) {
      const home = new AwsProvider(s, "home", { alias: "home", region: "eu-west-1", allowedAccountIds: [ACCOUNT] });
      const scoped = new Construct(s, "home-region");
      controls(scoped);
      for (const node of scoped.node.findAll()) if (node instanceof TerraformResource) node.provider = home;
    } else {
      controls(s);
    }
  };
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
  {
    rule: "ACCOUNT-BASELINE-COVERAGE",
    name: "the account has no baseline among the evaluated stacks",
    compliant: (s) => new S3Bucket(s, "uploads", { bucket: "acme-prod-uploads" }),
    violating: (s) => new S3Bucket(s, "uploads", { bucket: "acme-prod-uploads" }),
    peers: {
      compliant: [baseline()],
      // Only a stack of another account declares a baseline.
      violating: [(s) => new S3Bucket(s, "logs", { bucket: "acme-prod-logs" }), baseline({ account: "999999999999" })],
    },
    expect: new RegExp(`account ${ACCOUNT} has no account baseline among the evaluated stacks`),
  },
  {
    rule: "ACCOUNT-BASELINE-COVERAGE",
    name: "the baseline's regional controls are not in the stack's region",
    compliant: (s) => new S3Bucket(s, "uploads", { bucket: "acme-prod-uploads" }),
    violating: (s) => new S3Bucket(s, "uploads", { bucket: "acme-prod-uploads" }),
    peers: {
      // GuardDuty, Config and Access Analyzer in the fixture's region through an aliased provider count too.
      compliant: [baseline({ viaAlias: true })],
      violating: [baseline({ region: "eu-central-1" })],
    },
    expect: [/guardDuty: peer-0 has no GuardDuty detector in eu-west-1, where this stack deploys/, /config: peer-0 has no AWS Config recorder in eu-west-1/, /accessAnalyzer: .* no IAM Access Analyzer analyzer in eu-west-1/],
  },
];

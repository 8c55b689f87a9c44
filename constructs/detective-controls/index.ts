/**
 * The detective controls of an account's baseline, each created here or declared as managed by the organization
 * (AWS Control Tower and delegated administrators manage them centrally; AWS Config allows only ONE configuration
 * recorder per account and region, GuardDuty one detector per account and region, so a duplicate fails to apply):
 *
 * - CloudTrail: one multi-region trail in the home region with log-file validation, encrypted with the audit key,
 *   management events plus S3 data events for the listed buckets (the Terraform state bucket in the bootstrap
 *   account), delivered to the locked audit log bucket (constructs/audit-logs). Created after the bucket policy:
 *   CreateTrail checks it (InsufficientS3BucketPolicyException).
 * - GuardDuty: a detector per region with EKS audit logs, runtime monitoring (the GuardDuty agent add-on managed on
 *   every EKS cluster), S3 data events, EBS malware protection and RDS login events.
 * - AWS Config: a recorder per region (all supported resource types; global ones such as IAM in the home region only)
 *   with its service-linked role, a delivery channel to the audit bucket, and the recorder switched on.
 * - IAM Access Analyzer: an account analyzer per region (external access findings).
 *
 * The `detective_controls` output records, per control, `platform` or `organization: <reason>`: the policy pack's
 * ACCOUNT-DETECTIVE-CONTROLS rule requires each control to be present or declared.
 */
import { AccessanalyzerAnalyzer } from "@cdktf/provider-aws/lib/accessanalyzer-analyzer";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { ConfigConfigurationRecorder } from "@cdktf/provider-aws/lib/config-configuration-recorder";
import { ConfigConfigurationRecorderStatus } from "@cdktf/provider-aws/lib/config-configuration-recorder-status";
import { ConfigDeliveryChannel } from "@cdktf/provider-aws/lib/config-delivery-channel";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { TerraformOutput, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { DETECTIVE_CONTROLS, type ControlConfig, type DetectiveControl } from "../../config/schema/accounts";
import { partitionOf, type AccountScope } from "../core/aws";
import { type AuditLogs, CLOUDTRAIL_PREFIX, CONFIG_PREFIX } from "../audit-logs";
import { DETECTIVE_CONTROLS_OUTPUT } from "../policy/rules/account";

/** The output every account baseline carries (read by the ACCOUNT-DETECTIVE-CONTROLS rule). */
export { DETECTIVE_CONTROLS_OUTPUT };

/** GuardDuty protection plans enabled on every detector (detector features, GuardDuty API names). */
export const GUARDDUTY_FEATURES = ["EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS"] as const;
/** How often GuardDuty publishes updated findings to EventBridge. */
export const FINDING_PUBLISHING_FREQUENCY = "FIFTEEN_MINUTES";
/** How often AWS Config delivers a configuration snapshot. */
export const CONFIG_SNAPSHOT_FREQUENCY = "TwentyFour_Hours";

export interface DetectiveControlsProps {
  readonly account: AccountScope;
  /** Name prefix of the controls (the project's). */
  readonly prefix: string;
  /** Each control: created here (`platform`) or declared as the organization's. */
  readonly controls: Readonly<Record<DetectiveControl, ControlConfig>>;
  /** Regions of the regional controls; the account's home region (`account.region`) is always one of them. */
  readonly regions: readonly string[];
  /** Where the trail and the recorders deliver: required when either is platform-managed. */
  readonly auditLogs?: AuditLogs;
  /** Buckets whose object-level operations the trail records (S3 data events). */
  readonly dataEventBuckets?: readonly string[];
  /** What the Config recorders wait for: the service-linked role they use (created or looked up in this stack). */
  readonly configRoleDependency?: ITerraformDependable;
}

/** The name of the trail of an account baseline. */
export function trailName(prefix: string): string {
  return `${prefix}-audit`;
}

export class DetectiveControls extends Construct {
  readonly trail?: Cloudtrail;
  readonly detectors: readonly GuarddutyDetector[];
  readonly recorders: readonly ConfigConfigurationRecorder[];
  readonly analyzers: readonly AccessanalyzerAnalyzer[];

  constructor(scope: Construct, id: string, props: DetectiveControlsProps) {
    super(scope, id);
    const { account, controls } = props;
    const platform = (control: DetectiveControl) => controls[control].managedBy === "platform";
    if ((platform("cloudTrail") || platform("config")) && !props.auditLogs) {
      throw new Error("DetectiveControls: a platform-managed trail or recorder needs the audit log bucket (auditLogs)");
    }
    const regions = [account.region, ...props.regions.filter((region) => region !== account.region)];
    const regionArg = (region: string) => (region === account.region ? {} : { region });
    const suffix = (region: string) => (region === account.region ? "" : `-${region}`);
    const partition = partitionOf(account.region);

    if (platform("cloudTrail") && props.auditLogs) {
      const logs = props.auditLogs;
      const dataEvents = (props.dataEventBuckets ?? []).map((bucket) => ({
        name: `S3 data events of ${bucket}`,
        fieldSelector: [
          { field: "eventCategory", equalTo: ["Data"] },
          { field: "resources.type", equalTo: ["AWS::S3::Object"] },
          { field: "resources.ARN", startsWith: [`arn:${partition}:s3:::${bucket}/`] },
        ],
      }));
      this.trail = new Cloudtrail(this, "trail", {
        name: trailName(props.prefix),
        s3BucketName: logs.bucket.bucket,
        s3KeyPrefix: CLOUDTRAIL_PREFIX,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: logs.key.arn,
        advancedEventSelector: [{ name: "Management events", fieldSelector: [{ field: "eventCategory", equalTo: ["Management"] }] }, ...dataEvents],
        dependsOn: [logs.policy],
      });
    }

    const detectors: GuarddutyDetector[] = [];
    if (platform("guardDuty")) {
      for (const region of regions) {
        const detector = new GuarddutyDetector(this, `guardduty${suffix(region)}`, { enable: true, findingPublishingFrequency: FINDING_PUBLISHING_FREQUENCY, ...regionArg(region) });
        for (const feature of GUARDDUTY_FEATURES) {
          new GuarddutyDetectorFeature(this, `guardduty${suffix(region)}-${feature.toLowerCase().replaceAll("_", "-")}`, {
            detectorId: detector.id,
            name: feature,
            status: "ENABLED",
            ...(feature === "RUNTIME_MONITORING" ? { additionalConfiguration: [{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }] } : {}),
            ...regionArg(region),
          });
        }
        detectors.push(detector);
      }
    }
    this.detectors = detectors;

    const recorders: ConfigConfigurationRecorder[] = [];
    if (platform("config") && props.auditLogs) {
      const roleArn = `arn:${partition}:iam::${account.accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
      for (const region of regions) {
        const home = region === account.region;
        const recorder = new ConfigConfigurationRecorder(this, `config-recorder${suffix(region)}`, {
          name: `${props.prefix}-recorder`,
          roleArn,
          // Global resources (IAM) are recorded once, in the home region.
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: home },
          ...regionArg(region),
          ...(props.configRoleDependency ? { dependsOn: [props.configRoleDependency] } : {}),
        });
        const channel = new ConfigDeliveryChannel(this, `config-delivery${suffix(region)}`, {
          name: `${props.prefix}-delivery`,
          s3BucketName: props.auditLogs.bucket.bucket,
          s3KeyPrefix: CONFIG_PREFIX,
          s3KmsKeyArn: props.auditLogs.key.arn,
          snapshotDeliveryProperties: { deliveryFrequency: CONFIG_SNAPSHOT_FREQUENCY },
          ...regionArg(region),
          dependsOn: [recorder, props.auditLogs.policy],
        });
        new ConfigConfigurationRecorderStatus(this, `config-recording${suffix(region)}`, { name: recorder.name, isEnabled: true, ...regionArg(region), dependsOn: [channel] });
        recorders.push(recorder);
      }
    }
    this.recorders = recorders;

    const analyzers: AccessanalyzerAnalyzer[] = [];
    if (platform("accessAnalyzer")) {
      for (const region of regions) {
        analyzers.push(new AccessanalyzerAnalyzer(this, `access-analyzer${suffix(region)}`, { analyzerName: `${props.prefix}-external-access`, type: "ACCOUNT", ...regionArg(region) }));
      }
    }
    this.analyzers = analyzers;

    new TerraformOutput(this, DETECTIVE_CONTROLS_OUTPUT, {
      staticId: true,
      value: Object.fromEntries(DETECTIVE_CONTROLS.map((control) => [control, platform(control) ? "platform" : `organization: ${controls[control].reason ?? ""}`])),
    });
  }
}

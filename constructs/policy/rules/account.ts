/**
 * Account baseline rules: an account stack (it declares its detective controls in the `detective_controls` output,
 * or it holds the CI identity: the GitHub OIDC provider) has each detective control present, or declared as managed
 * by the organization with a reason (constructs/detective-controls).
 */
import { DETECTIVE_CONTROLS, MIN_REASON_LENGTH, type DetectiveControl } from "../../../config/schema/accounts";
import { GITHUB_OIDC_HOST } from "../../core/github-oidc";
import { blocks, isTrue, literal, many, strings, type Block, type StackModel } from "../model";
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

/** Controls that exist per region (CloudTrail is one multi-region trail, checked by ACCOUNT-DETECTIVE-CONTROLS). */
const REGIONAL_CONTROLS: Readonly<Partial<Record<DetectiveControl, { type: string; label: string }>>> = {
  guardDuty: { type: "aws_guardduty_detector", label: "GuardDuty detector" },
  config: { type: "aws_config_configuration_recorder", label: "AWS Config recorder" },
  accessAnalyzer: { type: "aws_accessanalyzer_analyzer", label: "IAM Access Analyzer analyzer" },
};

interface AwsProvider {
  readonly alias: string | undefined;
  readonly accounts: readonly string[] | undefined;
  readonly region: string | undefined;
}

function awsProviders(model: StackModel): AwsProvider[] {
  return many(model.json.provider?.aws).flatMap((body) => {
    if (body === null || typeof body !== "object") return [];
    const record = body as Record<string, unknown>;
    const ids = strings(record.allowed_account_ids);
    return [{ alias: literal(record.alias), accounts: ids.length > 0 && ids.every((id) => literal(id) !== undefined) ? ids : undefined, region: literal(record.region) }];
  });
}

/** The region a resource is created in: its provider's (`aws.<alias>`), else the default provider's. */
function regionOf(providers: readonly AwsProvider[], resource: Block): string | undefined {
  const reference = literal(resource.body.provider);
  const alias = reference?.startsWith("aws.") ? reference.slice("aws.".length) : undefined;
  return providers.find((provider) => provider.alias === alias)?.region;
}

/**
 * The account baselines among the evaluated stacks, by account id: each stack declaring its detective controls, with
 * the regions where each regional control it creates exists.
 */
function baselines(stacks: readonly StackModel[]): Map<string, { stack: string; declared: Record<string, unknown>; regions: Map<DetectiveControl, Set<string>> }> {
  const out = new Map<string, { stack: string; declared: Record<string, unknown>; regions: Map<DetectiveControl, Set<string>> }>();
  for (const stack of stacks) {
    const declared = declarations(stack);
    if (declared === undefined) continue;
    const providers = awsProviders(stack);
    const account = providers.find((provider) => provider.alias === undefined)?.accounts?.[0];
    if (account === undefined) continue;
    const regions = new Map<DetectiveControl, Set<string>>();
    for (const [control, { type }] of Object.entries(REGIONAL_CONTROLS) as [DetectiveControl, { type: string }][]) {
      regions.set(control, new Set(stack.resources(type).flatMap((resource) => regionOf(providers, resource) ?? [])));
    }
    out.set(account, { stack: stack.stackName, declared, regions });
  }
  return out;
}

export const ACCOUNT_RULES: readonly Rule[] = [
  {
    id: "ACCOUNT-BASELINE-COVERAGE",
    title: "Every account and region a stack deploys into has the account baseline's detective controls",
    severity: "high",
    scope: "all",
    upstream: "CIS AWS Foundations 3.1, 4.x; AWS Security Hub GuardDuty.1, Config.1 (per account and region)",
    unknown: {
      decision: "safe",
      reason:
        "Judged only over the complete set of stacks (npm run policy without STACKS, which CI runs on every synthesized stack before any deploy); a stack synthesized alone or a STACKS selection cannot see every account stack and is not judged. A default provider without a literal account id or region is a finding.",
    },
    fix: "Declare the account in project.yaml accounts (its account-<name> stack creates the baseline) and list the region among the account's regions so GuardDuty, AWS Config and Access Analyzer exist there; or declare the control managedBy: organization with its reason.",
    check: ({ model, peers, complete }) => {
      if (!complete || declarations(model) !== undefined) return [];
      const home = awsProviders(model).find((provider) => provider.alias === undefined);
      if (home === undefined) return [];
      if (home.accounts === undefined || home.region === undefined) {
        return [{ message: "the default AWS provider names no literal allowed_account_ids and region: the account baseline that must cover this stack cannot be known" }];
      }
      const known = baselines([model, ...peers]);
      const out: Violation[] = [];
      for (const account of home.accounts) {
        const baseline = known.get(account);
        if (baseline === undefined) {
          out.push({ message: `account ${account} has no account baseline among the evaluated stacks (no stack declares its ${DETECTIVE_CONTROLS_OUTPUT}): CloudTrail, GuardDuty, AWS Config and Access Analyzer are not known to exist there` });
          continue;
        }
        for (const [control, { label }] of Object.entries(REGIONAL_CONTROLS) as [DetectiveControl, { label: string }][]) {
          if (baseline.declared[control] !== "platform") continue;
          if (!baseline.regions.get(control)?.has(home.region)) {
            out.push({ message: `${control}: ${baseline.stack} has no ${label} in ${home.region}, where this stack deploys (account ${account})` });
          }
        }
      }
      return out;
    },
  },
  {
    id: "ACCOUNT-DETECTIVE-CONTROLS",
    title: "An account baseline has CloudTrail, GuardDuty, AWS Config and IAM Access Analyzer, or declares them the organization's",
    severity: "high",
    scope: "all",
    upstream: "CIS AWS Foundations 3.1/3.2/3.5, 4.x; AWS Security Hub CloudTrail.1/4, GuardDuty.1, Config.1, IAM Access Analyzer",
    unknown: { decision: "finding", reason: "A trail whose KMS key is an expression counts as encrypted (a reference); a control declaration that is not a literal `platform` or `organization: <reason>` is reported." },
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

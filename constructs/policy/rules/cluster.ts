/**
 * EKS cluster, node group, launch template and version-pinning rules.
 */
import { blocks, describe, dig, isExpression, isFalse, isSet, isTrue, literal, numberOf, strings } from "../model";
import type { Rule } from "../types";
import { coversWorld, describeWorld } from "../public-space";
import { each, listIncludesAll, problems } from "./support";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
export const MIN_PROD_NODES = 2;
/** An exact chart version: semver without ranges (`1.2.3`, `v1.21.1`, `1.0.0-rc.1`). */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const SECURE_CHART_REPOSITORY = /^(https|oci):\/\//;

export const CLUSTER_RULES: readonly Rule[] = [
  {
    id: "EKS-ENDPOINT",
    title: "The Kubernetes API endpoint is private (public only from listed CIDRs, never in production)",
    severity: "high",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_39/38; TV AWS-0040/0041; NAG EKS1",
    unknown: { decision: "finding", reason: "endpoint_public_access that is not the literal false is public; public access CIDRs that are expressions are reported outside production." },
    fix: "Set vpc_config.endpoint_private_access = true; endpoint_public_access = false in production, elsewhere only with public_access_cidrs that do not cover public address space (0.0.0.0/0, ::/0, or prefixes that together add up to it).",
    check: ({ model, production }) =>
      each(model.resources("aws_eks_cluster"), (cluster) => {
        const vpc = dig(cluster.body, "vpc_config");
        const publicAccess = dig(cluster.body, "vpc_config", "endpoint_public_access");
        // The provider defaults endpoint_public_access to true.
        const isPublic = !isFalse(publicAccess);
        const cidrs = strings(dig(cluster.body, "vpc_config", "public_access_cidrs"));
        return problems(
          !isTrue(dig(cluster.body, "vpc_config", "endpoint_private_access")) && "vpc_config.endpoint_private_access is not true",
          production && isPublic && `vpc_config.endpoint_public_access is ${describe(publicAccess ?? (vpc ? undefined : "default true"))} in production`,
          !production && isPublic && (cidrs.length === 0 || coversWorld(cidrs)) &&
            `the public endpoint is open to ${cidrs.length === 0 ? "0.0.0.0/0 (public_access_cidrs not set)" : describeWorld(cidrs)}`,
          !production && isPublic && (isExpression(dig(cluster.body, "vpc_config", "public_access_cidrs")) || cidrs.some(isExpression)) &&
            "public_access_cidrs hold an expression, known only at plan time: the public endpoint may be open to anyone",
        );
      }),
  },
  {
    id: "EKS-SECRETS-KMS",
    title: "Kubernetes secrets are envelope-encrypted with a customer-managed key",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_58; TV AWS-0039",
    unknown: { decision: "finding", reason: "The encryption config must name secrets; a key ARN that is an expression is a reference to the cluster key and counts as set." },
    fix: "Set encryption_config { resources = [\"secrets\"], provider { key_arn = keys.cluster.arn } }.",
    check: ({ model }) =>
      each(model.resources("aws_eks_cluster"), (cluster) => {
        const config = blocks(cluster.body.encryption_config).find((item) => strings(item.resources).includes("secrets"));
        if (!config) return "encryption_config for \"secrets\" is missing";
        return isSet(dig(config, "provider", "key_arn")) ? undefined : "encryption_config.provider.key_arn is not set";
      }),
  },
  {
    id: "EKS-CP-LOGS",
    title: "All control-plane log types are enabled",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_37; TV AWS-0038; NAG EKS2",
    unknown: { decision: "finding", reason: "The log types must be listed literally." },
    fix: `Set enabled_cluster_log_types = ${JSON.stringify(CONTROL_PLANE_LOG_TYPES)}.`,
    check: ({ model }) =>
      each(model.resources("aws_eks_cluster"), (cluster) => {
        const missing = listIncludesAll(cluster.body.enabled_cluster_log_types, CONTROL_PLANE_LOG_TYPES);
        return missing.length > 0 ? `enabled_cluster_log_types lacks ${missing.join(", ")}` : undefined;
      }),
  },
  {
    id: "EKS-NG-NO-SSH",
    title: "Nodes accept no SSH",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_100",
    unknown: { decision: "finding", reason: "A key_name that is an expression is reported; source security groups that are expressions are references and count as a restriction." },
    fix: "Remove remote_access from node groups and key_name from their launch templates; use SSM Session Manager.",
    check: ({ model }) => [
      ...each(model.resources("aws_eks_node_group"), (group) => {
        const remote = dig(group.body, "remote_access");
        if (remote === undefined) return undefined;
        return strings(dig(group.body, "remote_access", "source_security_group_ids")).length > 0
          ? undefined
          : "remote_access is set without source_security_group_ids: SSH is open to the internet";
      }),
      ...each(model.resources("aws_launch_template"), (template) => (isSet(template.body.key_name) ? `key_name ${describe(template.body.key_name)} installs an SSH key` : undefined)),
    ],
  },
  {
    id: "EKS-NG-HA",
    title: "Production node groups span AZs with at least two nodes and a rolling update",
    severity: "medium",
    scope: "prod",
    upstream: "custom",
    unknown: { decision: "finding", reason: "A minimum size or a subnet list that is an expression is reported." },
    fix: `Set scaling_config.min_size >= ${MIN_PROD_NODES}, subnet_ids in at least two AZs (all private subnets), and update_config.`,
    check: ({ model }) =>
      each(model.resources("aws_eks_node_group"), (group) => {
        const min = numberOf(dig(group.body, "scaling_config", "min_size"));
        const subnets = group.body.subnet_ids;
        return problems(
          isExpression(dig(group.body, "scaling_config", "min_size")) && "scaling_config.min_size is an expression, known only at plan time",
          isExpression(subnets) && "subnet_ids is an expression, known only at plan time: its AZ spread cannot be judged",
          min !== undefined && min < MIN_PROD_NODES && `scaling_config.min_size is ${min}; at least ${MIN_PROD_NODES} required`,
          Array.isArray(subnets) && subnets.length < 2 && `${subnets.length} subnet(s): one AZ outage stops every node`,
          dig(group.body, "update_config") === undefined && "update_config is not set",
        );
      }),
  },
  {
    id: "VERSIONS-PINNED",
    title: "Cluster, add-on and chart versions are pinned; chart repositories use HTTPS",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_339",
    unknown: { decision: "finding", reason: "A version that is an expression (for example the most recent add-on version looked up at plan time) is not pinned and is reported." },
    fix: "Set the EKS version and addon_version from config, an exact helm_release version (no ranges) for charts from a repository, and an https:// or oci:// repository.",
    check: ({ model }) => [
      ...each(model.resources("aws_eks_cluster"), (cluster) =>
        !isSet(cluster.body.version) ? "version is not set: EKS picks the default version at creation" : isExpression(cluster.body.version) ? `version is ${describe(cluster.body.version)}, known only at plan time` : undefined,
      ),
      ...each(model.resources("aws_eks_addon"), (addon) =>
        !isSet(addon.body.addon_version) ? "addon_version is not set" : isExpression(addon.body.addon_version) ? `addon_version is ${describe(addon.body.addon_version)}, known only at plan time (a looked-up latest version is not pinned)` : undefined,
      ),
      ...each(model.resources("helm_release"), (release) => {
        const version = release.body.version;
        const repository = literal(release.body.repository);
        const chart = literal(release.body.chart) ?? "";
        // A chart kept in this repository (no repository, a path) is pinned by the commit itself.
        const remote = repository !== undefined || /^[a-z]+:\/\//.test(chart);
        return problems(
          remote && !(typeof version === "string" && EXACT_VERSION.test(version)) && `version ${describe(version)} is not an exact chart version${isExpression(version) ? " (an expression, known only at plan time)" : ""}`,
          repository !== undefined && !SECURE_CHART_REPOSITORY.test(repository) && `repository ${repository} is not https:// or oci://`,
          /^[a-z]+:\/\//.test(chart) && !SECURE_CHART_REPOSITORY.test(chart) && `chart URL ${chart} is not https:// or oci://`,
        );
      }),
    ],
  },
  {
    id: "LT-IMDSV2",
    title: "Launch templates require IMDSv2",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_79; TV AWS-0130; NAG EC29",
    unknown: { decision: "finding", reason: "http_tokens must be the literal required." },
    fix: "Set metadata_options { http_tokens = \"required\" } (and a deliberate http_put_response_hop_limit).",
    check: ({ model }) =>
      each(model.resources("aws_launch_template"), (template) =>
        dig(template.body, "metadata_options", "http_tokens") === "required" ? undefined : `metadata_options.http_tokens is ${describe(dig(template.body, "metadata_options", "http_tokens"))}`,
      ),
  },
  {
    id: "LT-EBS-ENCRYPTED",
    title: "Launch template volumes are encrypted",
    severity: "high",
    scope: "all",
    upstream: "CKV_AWS_8; TV AWS-0131",
    unknown: { decision: "finding", reason: "encrypted must be the literal true." },
    fix: "Set block_device_mappings[].ebs { encrypted = \"true\", kms_key_id = keys.cluster.arn }.",
    check: ({ model }) =>
      each(model.resources("aws_launch_template"), (template) =>
        blocks(template.body.block_device_mappings)
          .filter((mapping) => dig(mapping, "ebs") !== undefined && !isTrue(dig(mapping, "ebs", "encrypted")))
          .map((mapping) => `volume ${describe(mapping.device_name)} is not encrypted`),
      ),
  },
];

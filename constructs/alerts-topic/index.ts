/**
 * The environment's alerts topic: one encrypted SNS topic every alert source publishes to (AWS Backup vault
 * notifications and EventBridge rules for failed jobs today; CloudWatch alarms of the observability stack later),
 * with the subscriptions from configuration (`alerts.subscriptions`).
 *
 * The topic has its own customer-managed key. A service that publishes to an encrypted topic needs
 * `kms:GenerateDataKey*` and `kms:Decrypt` on its key, so a dedicated key keeps those grants off the data key.
 * Its key policy and the topic policy admit exactly CloudWatch, EventBridge and AWS Backup as publishers, each as
 * narrowly as the service supports (see the statements), and the topic refuses publishing without TLS.
 *
 * Other stacks find the topic by name: `alertsTopicName(naming)` (e.g. with the `aws_sns_topic` data source).
 */
import { createHash } from "node:crypto";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { ALERT_ENDPOINT_PATTERNS, type AlertSubscriptionConfig } from "../../config/schema/alerts";
import { accountRootArn, partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { DEFAULT_DELETION_WINDOW_DAYS, DEFAULT_ROTATION_PERIOD_DAYS } from "../kms";
import { denyInsecureTransport } from "../core/secure-transport";

/** Component of the topic name and the key alias. */
export const ALERTS_COMPONENT = "alerts";

/** Name of the environment's alerts topic, for stacks that look it up. */
export function alertsTopicName(naming: Naming): string {
  return naming.name("sns-topic", ALERTS_COMPONENT);
}

/** Services that publish alerts to the topic. */
export const ALERT_PUBLISHERS = ["cloudwatch", "events", "backup"] as const;

/** What a publisher needs on the topic's key to publish to an encrypted topic. */
const PUBLISH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"];

export interface AlertsTopicProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Who receives alerts (`alerts.subscriptions`). */
  readonly subscriptions: readonly AlertSubscriptionConfig[];
  /**
   * Days between scheduling the topic key's deletion and its deletion.
   * @default 30 (the maximum), so a mistaken destroy can be cancelled for a month
   */
  readonly keyDeletionWindowDays?: number;
  /**
   * Automatic rotation period of the topic key in days.
   * @default 365
   */
  readonly keyRotationPeriodDays?: number;
  /**
   * `lifecycle.prevent_destroy` on the topic key (queued messages are unreadable without it).
   * @default true — development opts out
   */
  readonly preventDestroy?: boolean;
}

export class AlertsTopic extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;
  readonly topicName: string;
  readonly keyAlias: string;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    for (const [index, subscription] of props.subscriptions.entries()) {
      const rule = ALERT_ENDPOINT_PATTERNS[subscription.protocol];
      if (!rule) {
        throw new Error(`AlertsTopic ${id}: subscriptions[${index}].protocol "${subscription.protocol}" is not supported; allowed: ${Object.keys(ALERT_ENDPOINT_PATTERNS).join(", ")}`);
      }
      if (!rule.pattern.test(subscription.endpoint)) {
        throw new Error(`AlertsTopic ${id}: subscriptions[${index}].endpoint "${subscription.endpoint}" is not a valid ${subscription.protocol} endpoint; expected something like ${rule.example}`);
      }
    }
    const ids = props.subscriptions.map(subscriptionId);
    const duplicate = ids.find((value, index) => ids.indexOf(value) !== index);
    if (duplicate) throw new Error(`AlertsTopic ${id}: duplicate subscription ${duplicate}; each protocol and endpoint may appear once`);

    const { account, naming } = props;
    const partition = partitionOf(account.region);
    this.topicName = alertsTopicName(naming);
    const topicArn = `arn:${partition}:sns:${account.region}:${account.accountId}:${this.topicName}`;

    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
        },
        {
          sid: "AllowCloudWatchAlarms",
          actions: PUBLISH_KEY_ACTIONS,
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("cloudwatch")] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }],
        },
        // EventBridge's KMS requests carry no aws:SourceAccount / aws:SourceArn, so a condition on them would drop
        // every event silently; the topic policy below scopes EventBridge to this account's rules instead.
        {
          sid: "AllowEventBridge",
          actions: PUBLISH_KEY_ACTIONS,
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("events")] }],
        },
        // AWS Backup publishes vault notifications only to topics of the vault's own account (no cross-account
        // notifications), and documents no source condition for them.
        {
          sid: "AllowAwsBackup",
          actions: PUBLISH_KEY_ACTIONS,
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("backup")] }],
        },
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: `${naming.prefix} alerts topic key`,
      enableKeyRotation: true,
      rotationPeriodInDays: props.keyRotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
      deletionWindowInDays: props.keyDeletionWindowDays ?? DEFAULT_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.keyAlias = naming.kmsAlias(ALERTS_COMPONENT);
    new KmsAlias(this, "key-alias", { name: this.keyAlias, targetKeyId: this.key.keyId });

    this.topic = new SnsTopic(this, "topic", { name: this.topicName, kmsMasterKeyId: this.key.arn });

    const topicPolicy = new DataAwsIamPolicyDocument(this, "topic-policy", {
      statement: [
        {
          sid: "AccountManagesTopic",
          actions: [
            "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
            "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
          ],
          resources: [topicArn],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
        },
        {
          sid: "AllowCloudWatchAlarms",
          actions: ["sns:Publish"],
          resources: [topicArn],
          principals: [{ type: "Service", identifiers: [servicePrincipal("cloudwatch")] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:cloudwatch:${account.region}:${account.accountId}:alarm:*`] },
          ],
        },
        {
          sid: "AllowEventBridgeRules",
          actions: ["sns:Publish"],
          resources: [topicArn],
          principals: [{ type: "Service", identifiers: [servicePrincipal("events")] }],
          condition: [
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:events:${account.region}:${account.accountId}:rule/*`] },
          ],
        },
        {
          sid: "AllowAwsBackupNotifications",
          actions: ["sns:Publish"],
          resources: [topicArn],
          principals: [{ type: "Service", identifiers: [servicePrincipal("backup")] }],
        },
        denyInsecureTransport(["sns:Publish"], [topicArn]),
      ],
    });
    new SnsTopicPolicy(this, "topic-policy-attachment", { arn: this.topic.arn, policy: topicPolicy.json });

    props.subscriptions.forEach((subscription, index) => {
      new SnsTopicSubscription(this, ids[index] as string, {
        topicArn: this.topic.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
      });
    });
  }

  get topicArn(): string {
    return this.topic.arn;
  }
}

/**
 * Construct id of a subscription: protocol plus a hash of the endpoint, so adding, removing or reordering
 * subscriptions never replaces another one (and the id does not spell out an email address).
 */
export function subscriptionId(subscription: AlertSubscriptionConfig): string {
  const hash = createHash("sha256").update(subscription.endpoint).digest("hex").slice(0, 10);
  return `subscription-${subscription.protocol}-${hash}`;
}

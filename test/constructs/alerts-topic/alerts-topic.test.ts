import { describe, expect, it } from "vitest";
import { AlertsTopic, alertsTopicName, subscriptionId, type AlertsTopicProps } from "../../../constructs/alerts-topic";
import { Naming } from "../../../constructs/core/naming";
import { resourceList, synthConstruct, TEST_ACCOUNT, type Synthesized } from "../../support/synth";

const naming = new Naming({ project: "acme", environment: "prod" });
const EMAIL = { protocol: "email" as const, endpoint: "oncall@example.com" };
const HTTPS = { protocol: "https" as const, endpoint: "https://events.example.com/hook" };

function topic(props: Partial<AlertsTopicProps> = {}) {
  return synthConstruct((scope) => new AlertsTopic(scope, "alerts", { naming, account: TEST_ACCOUNT, subscriptions: [EMAIL, HTTPS], ...props }));
}

type Statement = { sid: string; effect?: string; actions: string[]; principals: { type: string; identifiers: string[] }[]; condition?: { test: string; variable: string; values: string[] }[] };
const policy = (json: Synthesized, prefix: string): Statement[] =>
  (Object.entries(json.data?.aws_iam_policy_document ?? {}).find(([id]) => id.startsWith(prefix))?.[1].statement ?? []) as Statement[];
const sid = (statements: Statement[], name: string) => statements.find((statement) => statement.sid === name);

describe("AlertsTopic", () => {
  const { json, construct } = topic();

  it("creates the encrypted alerts topic with its own rotating, protected key", () => {
    expect(resourceList(json, "aws_sns_topic")).toEqual([expect.objectContaining({ name: "acme-prod-alerts", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.alerts_key_.*\.arn\}$/) })]);
    expect(resourceList(json, "aws_kms_key")).toEqual([expect.objectContaining({ enable_key_rotation: true, deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } })]);
    expect(resourceList(json, "aws_kms_alias")[0]?.name).toBe("alias/acme-prod-alerts");
    expect(alertsTopicName(naming)).toBe("acme-prod-alerts");
    expect(construct.topicName).toBe("acme-prod-alerts");
  });

  it("lets CloudWatch, EventBridge and AWS Backup use the key, CloudWatch only for this account", () => {
    const key = policy(json, "alerts_key-policy");
    expect(sid(key, "AllowCloudWatchAlarms")).toMatchObject({ principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }], actions: ["kms:Decrypt", "kms:GenerateDataKey*"], condition: [{ variable: "aws:SourceAccount", values: ["123456789012"] }] });
    expect(sid(key, "AllowEventBridge")?.principals).toEqual([{ type: "Service", identifiers: ["events.amazonaws.com"] }]);
    expect(sid(key, "AllowAwsBackup")?.principals).toEqual([{ type: "Service", identifiers: ["backup.amazonaws.com"] }]);
  });

  it("lets the three services publish, scoped to this account's alarms and rules, and denies publishing without TLS", () => {
    const topicPolicy = policy(json, "alerts_topic-policy_");
    expect(sid(topicPolicy, "AllowCloudWatchAlarms")?.condition).toEqual(expect.arrayContaining([{ test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"] }]));
    expect(sid(topicPolicy, "AllowEventBridgeRules")?.condition).toEqual([{ test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:events:eu-west-1:123456789012:rule/*"] }]);
    expect(sid(topicPolicy, "AllowAwsBackupNotifications")?.actions).toEqual(["sns:Publish"]);
    expect(sid(topicPolicy, "DenyInsecureTransport")).toMatchObject({ effect: "Deny", condition: [{ variable: "aws:SecureTransport", values: ["false"] }] });
    expect(resourceList(json, "aws_sns_topic_policy")).toHaveLength(1);
  });

  it("subscribes every configured endpoint under an id that survives reordering", () => {
    const subscriptions = resourceList(json, "aws_sns_topic_subscription");
    expect(subscriptions.map((subscription) => [subscription.protocol, subscription.endpoint])).toEqual([["email", "oncall@example.com"], ["https", "https://events.example.com/hook"]]);
    const reordered = topic({ subscriptions: [HTTPS, EMAIL] });
    expect(Object.keys(reordered.json.resource?.aws_sns_topic_subscription ?? {}).sort()).toEqual(Object.keys(json.resource?.aws_sns_topic_subscription ?? {}).sort());
    expect(subscriptionId(EMAIL)).not.toContain("oncall");
  });

  it("allows destroy and a shorter key deletion window in development", () => {
    const dev = topic({ subscriptions: [], preventDestroy: false, keyDeletionWindowDays: 7 });
    expect(resourceList(dev.json, "aws_kms_key")[0]).toMatchObject({ deletion_window_in_days: 7, lifecycle: { prevent_destroy: false } });
    expect(resourceList(dev.json, "aws_sns_topic_subscription")).toEqual([]);
  });

  it("rejects invalid endpoints, unsupported protocols and duplicates", () => {
    expect(() => topic({ subscriptions: [{ protocol: "email", endpoint: "not-an-address" }] })).toThrow(/subscriptions\[0\]\.endpoint "not-an-address" is not a valid email endpoint/);
    expect(() => topic({ subscriptions: [{ protocol: "https", endpoint: "http://insecure.example.com" }] })).toThrow(/is not a valid https endpoint/);
    expect(() => topic({ subscriptions: [{ protocol: "http" as never, endpoint: "http://x" }] })).toThrow(/protocol "http" is not supported; allowed: email, https, sqs, lambda/);
    expect(() => topic({ subscriptions: [EMAIL, EMAIL] })).toThrow(/duplicate subscription subscription-email-/);
  });
});

import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Construct } from "constructs";
import { KEY_ARN, type RuleCase } from "./support";

const ROOT = { sid: "EnableIamPolicies", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] };

function key(scope: Construct, rotation: boolean, extra: DataAwsIamPolicyDocumentStatement[] = []): KmsKey {
  const policy = new DataAwsIamPolicyDocument(scope, "key-policy", { statement: [ROOT, ...extra] });
  return new KmsKey(scope, "key", { enableKeyRotation: rotation, policy: policy.json });
}

export const ENCRYPTION_CASES: readonly RuleCase[] = [
  {
    rule: "KMS-ROTATION",
    compliant: (s) => key(s, true),
    violating: (s) => key(s, false),
    expect: /enable_key_rotation is false/,
  },
  {
    rule: "KMS-KEY-POLICY-PUBLIC",
    compliant: (s) =>
      key(s, true, [
        {
          sid: "AutoScaling",
          actions: ["kms:Decrypt"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: ["*"] }],
          condition: [{ test: "StringEquals", variable: "kms:CallerAccount", values: ["123456789012"] }],
        },
      ]),
    violating: (s) => key(s, true, [{ sid: "Everyone", actions: ["kms:Decrypt"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }]),
    expect: /statement Everyone allows kms:Decrypt to principal "\*" without a restricting condition/,
  },
  {
    rule: "KMS-KEY-POLICY-PUBLIC",
    name: "kms:* to * behind conditions that restrict nothing",
    compliant: (s) =>
      key(s, true, [
        {
          sid: "Office",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [{ test: "IpAddress", variable: "aws:SourceIp", values: ["203.0.113.0/24"] }],
        },
      ]),
    violating: (s) =>
      key(s, true, [
        {
          sid: "Anyone",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "*", identifiers: ["*"] }],
          condition: [
            { test: "IpAddress", variable: "aws:SourceIp", values: ["0.0.0.0/1", "128.0.0.0/1"] },
            { test: "StringEquals", variable: "kms:ViaService", values: ["ec2.eu-west-1.amazonaws.com"] },
            { test: "StringLike", variable: "aws:PrincipalAccount", values: ["*"] },
          ],
        },
      ]),
    expect: /statement Anyone allows kms:\* to principal "\*" without a restricting condition/,
  },
  {
    rule: "LOG-RETENTION",
    compliant: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/prod/app", retentionInDays: 365, kmsKeyId: KEY_ARN }),
    violating: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/prod/app", retentionInDays: 30 }),
    expect: [/retention_in_days is 30; at least 365 in production/, /kms_key_id is not set/],
  },
  {
    rule: "LOG-RETENTION",
    name: "development keeps a retention",
    profile: "development",
    compliant: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/dev/app", retentionInDays: 30, kmsKeyId: KEY_ARN }),
    violating: (s) => new CloudwatchLogGroup(s, "logs", { name: "/acme/dev/app", kmsKeyId: KEY_ARN }),
    expect: /retention_in_days is not set: logs are kept forever/,
  },
  {
    rule: "SNS-KMS",
    compliant: (s) => new SnsTopic(s, "alerts", { name: "acme-prod-alerts", kmsMasterKeyId: KEY_ARN }),
    violating: (s) => new SnsTopic(s, "alerts", { name: "acme-prod-alerts" }),
    expect: /kms_master_key_id is not set/,
  },
  {
    rule: "SQS-ENCRYPTED",
    compliant: (s) => new SqsQueue(s, "interruptions", { name: "acme-prod-karpenter", sqsManagedSseEnabled: true }),
    violating: (s) => new SqsQueue(s, "interruptions", { name: "acme-prod-karpenter", sqsManagedSseEnabled: false }),
    expect: /sqs_managed_sse_enabled is false/,
  },
  {
    rule: "SECRETS-CMK",
    compliant: (s) => new SecretsmanagerSecret(s, "secret", { name: "acme/prod/cache-token", kmsKeyId: KEY_ARN }),
    violating: (s) => new SecretsmanagerSecret(s, "secret", { name: "acme/prod/cache-token" }),
    expect: /kms_key_id is not set/,
  },
];

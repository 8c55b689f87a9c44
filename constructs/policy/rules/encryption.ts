/**
 * Keys and encryption of supporting services: KMS rotation and key policies, log groups, SNS, SQS, Secrets
 * Manager.
 */
import { actionMatches } from "../iam/escalation";
import { describe, isExpression, isFalse, isSet, isTrue, numberOf } from "../model";
import type { Rule, Violation } from "../types";
import { restrictsPrincipals } from "./iam-access";
import { each, problems } from "./support";
import { wildcardPrincipal } from "./iam";

/** Key usage and key administration: what a key policy must never give to anyone. */
const KEY_ACTIONS = [
  "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:CreateGrant", "kms:Sign", "kms:Verify", "kms:GenerateMac",
  "kms:VerifyMac", "kms:DeriveSharedSecret", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:UpdateKeyDescription",
];

/** Production log retention floor (days). */
export const PROD_MIN_LOG_RETENTION_DAYS = 365;

export const ENCRYPTION_RULES: readonly Rule[] = [
  {
    id: "KMS-ROTATION",
    title: "Symmetric keys rotate",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_7/33, CKV2_AWS_64; TV AWS-0065; NAG KMS5",
    fix: "Set enable_key_rotation = true.",
    unknown: { decision: "finding", reason: "enable_key_rotation must be the literal true; an expression is reported as not true." },
    check: ({ model }) =>
      each(model.resources("aws_kms_key"), (key) => {
        const symmetric = (key.body.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && (key.body.key_usage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
        return symmetric && !isTrue(key.body.enable_key_rotation) ? `enable_key_rotation is ${describe(key.body.enable_key_rotation)}` : undefined;
      }),
  },
  {
    id: "KMS-KEY-POLICY-PUBLIC",
    title: "Key policies never give key usage or administration to \"*\" without a restricting condition",
    severity: "critical",
    scope: "all",
    upstream: "CKV_AWS_33; TV AWS-0065; Access Analyzer public access (KMS)",
    fix: "Name the account root, roles or services in key policies; a \"*\" principal (for services acting on behalf of callers) needs kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn or aws:SourceAccount / aws:SourceArn with fixed values (kms:ViaService alone admits every account's callers).",
    unknown: { decision: "finding", reason: "A key policy that cannot be read is an IAM-DOCUMENT-UNREADABLE finding; condition values that are not fixed do not restrict." },
    check: ({ model }) =>
      model
        .policyUses()
        .filter((use) => use.use === "key")
        .flatMap((use) =>
          use.statements
            .filter((statement) => statement.effect === "Allow" && (wildcardPrincipal(statement) || statement.notPrincipals.length > 0) && !restrictsPrincipals(statement.conditions))
            .filter((statement) => statement.notActions.length > 0 || KEY_ACTIONS.some((action) => actionMatches(statement.actions, action)))
            .map((statement): Violation => ({
              block: use.owner,
              message: `key policy ${statement.sid ? `statement ${statement.sid} ` : ""}allows ${statement.notActions.length > 0 ? `everything but ${statement.notActions.join(", ")}` : statement.actions.join(", ")} to principal "*" without a restricting condition`,
            })),
        ),
  },
  {
    id: "LOG-RETENTION",
    title: "Log groups have a retention (>= 365 days in production) and a KMS key",
    severity: "low",
    scope: "all-strict-prod",
    upstream: "CKV_AWS_66/338/158",
    unknown: { decision: "finding", reason: "A retention that is an expression is reported; a kms_key_id that is an expression counts as set." },
    fix: `Set retention_in_days from logging.retentionDays (>= ${PROD_MIN_LOG_RETENTION_DAYS} in production) and kms_key_id = keys.logs.arn.`,
    check: ({ model, production }) =>
      each(model.resources("aws_cloudwatch_log_group"), (group) => {
        const days = numberOf(group.body.retention_in_days);
        return problems(
          (group.body.retention_in_days === undefined || days === 0) && "retention_in_days is not set: logs are kept forever",
          isExpression(group.body.retention_in_days) && `retention_in_days is ${describe(group.body.retention_in_days)}, known only at plan time`,
          production && days !== undefined && days > 0 && days < PROD_MIN_LOG_RETENTION_DAYS && `retention_in_days is ${days}; at least ${PROD_MIN_LOG_RETENTION_DAYS} in production`,
          !isSet(group.body.kms_key_id) && "kms_key_id is not set",
        );
      }),
  },
  {
    id: "SNS-KMS",
    title: "SNS topics are encrypted with a KMS key",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_26; TV AWS-0095; NAG SNS2",
    unknown: { decision: "finding", reason: "A key id that is an expression is a reference to a key and counts as set; an absent one is reported." },
    fix: "Set kms_master_key_id (a customer-managed key whose policy admits CloudWatch / EventBridge / Backup as publishers).",
    check: ({ model }) => each(model.resources("aws_sns_topic"), (topic) => (isSet(topic.body.kms_master_key_id) ? undefined : "kms_master_key_id is not set")),
  },
  {
    id: "SQS-ENCRYPTED",
    title: "SQS queues are encrypted",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_27; TV AWS-0096; NAG SQS2",
    unknown: { decision: "finding", reason: "sqs_managed_sse_enabled that is an expression may be false and is reported unless a key is set." },
    fix: "Set kms_master_key_id, or leave sqs_managed_sse_enabled on.",
    check: ({ model }) =>
      each(model.resources("aws_sqs_queue"), (queue) =>
        isSet(queue.body.kms_master_key_id)
          ? undefined
          : isFalse(queue.body.sqs_managed_sse_enabled)
            ? "sqs_managed_sse_enabled is false and no kms_master_key_id is set"
            : isExpression(queue.body.sqs_managed_sse_enabled)
              ? "sqs_managed_sse_enabled is an expression, known only at plan time, and no kms_master_key_id is set"
              : undefined,
      ),
  },
  {
    id: "SECRETS-CMK",
    title: "Secrets Manager secrets use a customer-managed key",
    severity: "medium",
    scope: "all",
    upstream: "CKV_AWS_149",
    unknown: { decision: "finding", reason: "A kms_key_id that is an expression is a reference and counts as set; an absent one is reported." },
    fix: "Set kms_key_id = keys.data.arn so access to the secret also needs the key.",
    check: ({ model }) => each(model.resources("aws_secretsmanager_secret"), (secret) => (isSet(secret.body.kms_key_id) ? undefined : "kms_key_id is not set (AWS-managed key)")),
  },
];

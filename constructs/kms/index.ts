/**
 * Customer-managed KMS keys of an environment, one per purpose, each with automatic rotation, an alias and a key
 * policy that delegates to IAM and admits exactly the AWS services that must use the key as themselves.
 *
 * - `data`: databases, caches, search, brokers, buckets, secrets and persistent volumes (used through IAM grants)
 * - `logs`: CloudWatch log groups (the regional Logs service, limited to this account's log groups)
 * - `backup`: AWS Backup vaults
 * - `cluster`: EKS secrets envelope encryption and node root volumes (the Auto Scaling service-linked role
 *   launches managed node group instances and must be able to use it)
 */
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { accountRootArn, partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";

export const KEY_PURPOSES = ["data", "logs", "backup", "cluster"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** Longest waiting period KMS allows; used unless the environment chooses a shorter one. */
export const DEFAULT_DELETION_WINDOW_DAYS = 30;
/** Yearly rotation, the KMS default period. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

export interface PlatformKeysProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /**
   * Days between scheduling a key's deletion and its deletion.
   * @default 30 (the maximum), so a mistaken destroy can be cancelled for a month
   */
  readonly deletionWindowDays?: number;
  /**
   * Automatic rotation period in days.
   * @default 365
   */
  readonly rotationPeriodDays?: number;
  /**
   * Adds `lifecycle.prevent_destroy` to every key: a destroyed key makes everything encrypted with it unreadable.
   * @default true — environments opt out explicitly (development)
   */
  readonly preventDestroy?: boolean;
  /**
   * Let CloudFront (origin access control) decrypt objects of data-key-encrypted buckets it serves. Scoped to
   * distributions of this account; the bucket policy still decides which distribution reads which bucket.
   * @default false — only environments with CDN distributions need it
   */
  readonly allowCloudFrontOrigins?: boolean;
}

const KEY_USAGE_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

export class PlatformKeys extends Construct {
  readonly data: KmsKey;
  readonly logs: KmsKey;
  readonly backup: KmsKey;
  readonly cluster: KmsKey;
  /** Alias names by purpose, e.g. `alias/acme-prod-data`. */
  readonly aliases: Readonly<Record<KeyPurpose, string>>;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? DEFAULT_DELETION_WINDOW_DAYS;
    const rotationPeriodDays = props.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`PlatformKeys: deletionWindowDays must be an integer from 7 to 30, got ${deletionWindowDays}`);
    }
    if (!Number.isInteger(rotationPeriodDays) || rotationPeriodDays < 90 || rotationPeriodDays > 2560) {
      throw new Error(`PlatformKeys: rotationPeriodDays must be an integer from 90 to 2560, got ${rotationPeriodDays}`);
    }
    const preventDestroy = props.preventDestroy ?? true;
    const { account } = props;
    const partition = partitionOf(account.region);

    const serviceStatements: Record<KeyPurpose, DataAwsIamPolicyDocumentStatement[]> = {
      data: props.allowCloudFrontOrigins
        ? [
            {
              sid: "AllowCloudFrontOriginAccessControl",
              actions: ["kms:Decrypt"],
              resources: ["*"],
              principals: [{ type: "Service", identifiers: [servicePrincipal("cloudfront")] }],
              condition: [
                { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
                { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:cloudfront::${account.accountId}:distribution/*`] },
              ],
            },
          ]
        : [],
      logs: [
        {
          sid: "AllowCloudWatchLogs",
          actions: KEY_USAGE_ACTIONS,
          resources: ["*"],
          principals: [{ type: "Service", identifiers: [servicePrincipal("logs", account.region)] }],
          condition: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: [`arn:${partition}:logs:${account.region}:${account.accountId}:log-group:*`],
            },
          ],
        },
      ],
      backup: [],
      cluster: [
        // The Auto Scaling service-linked role launches managed node group instances with encrypted root volumes.
        // It is matched by aws:PrincipalArn rather than named as a principal, because KMS rejects a policy naming
        // a role that does not exist yet (the role appears with the account's first Auto Scaling group).
        {
          sid: "AllowAutoScalingServiceLinkedRoleUse",
          actions: KEY_USAGE_ACTIONS,
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: ["*"] }],
          condition: [
            { test: "StringEquals", variable: "kms:CallerAccount", values: [account.accountId] },
            { test: "ArnEquals", variable: "aws:PrincipalArn", values: [autoScalingServiceLinkedRole(account)] },
          ],
        },
        {
          sid: "AllowAutoScalingServiceLinkedRoleGrants",
          actions: ["kms:CreateGrant"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: ["*"] }],
          condition: [
            { test: "StringEquals", variable: "kms:CallerAccount", values: [account.accountId] },
            { test: "ArnEquals", variable: "aws:PrincipalArn", values: [autoScalingServiceLinkedRole(account)] },
            { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
          ],
        },
      ],
    };

    const aliases = {} as Record<KeyPurpose, string>;
    const keys = {} as Record<KeyPurpose, KmsKey>;
    for (const purpose of KEY_PURPOSES) {
      const policy = new DataAwsIamPolicyDocument(this, `${purpose}-policy`, {
        statement: [
          {
            sid: "EnableIamPolicies",
            // Delegates to IAM in this account only; a key policy must name its account root or the key is unmanageable.
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
          },
          ...serviceStatements[purpose],
        ],
      });
      const key = new KmsKey(this, purpose, {
        description: `${props.naming.prefix} ${purpose} key`,
        enableKeyRotation: true,
        rotationPeriodInDays: rotationPeriodDays,
        deletionWindowInDays: deletionWindowDays,
        policy: policy.json,
        lifecycle: { preventDestroy },
      });
      aliases[purpose] = props.naming.kmsAlias(purpose);
      new KmsAlias(this, `${purpose}-alias`, { name: aliases[purpose], targetKeyId: key.keyId });
      keys[purpose] = key;
    }
    this.data = keys.data;
    this.logs = keys.logs;
    this.backup = keys.backup;
    this.cluster = keys.cluster;
    this.aliases = aliases;
  }
}

function autoScalingServiceLinkedRole(account: AccountScope): string {
  return `arn:${partitionOf(account.region)}:iam::${account.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

export interface RegionalBackupKeyProps {
  readonly naming: Naming;
  /** Account and the region the key lives in (the disaster-recovery region), matching `provider`. */
  readonly account: AccountScope;
  /** AWS provider of that region (keys are regional: a vault can only use a key of its own region). */
  readonly provider: TerraformProvider;
  /**
   * Days between scheduling the key's deletion and its deletion.
   * @default 30 (the maximum)
   */
  readonly deletionWindowDays?: number;
  /**
   * Automatic rotation period in days.
   * @default 365
   */
  readonly rotationPeriodDays?: number;
  /**
   * `lifecycle.prevent_destroy` on the key: destroying it makes every copy in the DR vault unreadable.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The backup key of a second region (the disaster-recovery vault's key). AWS Backup re-encrypts cross-region copies
 * with the destination vault's key, which must live in the destination region. Same policy shape as the `backup`
 * key of PlatformKeys; its alias is `alias/<prefix>-backup` in that region.
 */
export class RegionalBackupKey extends Construct {
  readonly key: KmsKey;
  readonly alias: string;

  constructor(scope: Construct, id: string, props: RegionalBackupKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? DEFAULT_DELETION_WINDOW_DAYS;
    const rotationPeriodDays = props.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`RegionalBackupKey: deletionWindowDays must be an integer from 7 to 30, got ${deletionWindowDays}`);
    }
    if (!Number.isInteger(rotationPeriodDays) || rotationPeriodDays < 90 || rotationPeriodDays > 2560) {
      throw new Error(`RegionalBackupKey: rotationPeriodDays must be an integer from 90 to 2560, got ${rotationPeriodDays}`);
    }
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      provider: props.provider,
      statement: [
        {
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(props.account)] }],
        },
      ],
    });
    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: `${props.naming.prefix} backup key (${props.account.region})`,
      enableKeyRotation: true,
      rotationPeriodInDays: rotationPeriodDays,
      deletionWindowInDays: deletionWindowDays,
      policy: policy.json,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.alias = props.naming.kmsAlias("backup");
    new KmsAlias(this, "alias", { provider: props.provider, name: this.alias, targetKeyId: this.key.keyId });
  }
}

/**
 * The rotation function of the ElastiCache password users of one stack (constructs/cache-user in password mode): one
 * Lambda per stack that has such users (the environment's platform stack, a shared tenant's stack), created the first
 * time a user registers, whose role may rotate exactly the users and secrets registered with it.
 *
 * Why the function, not Terraform, owns the passwords: the provider version the bindings encode (hashicorp/aws 6.25)
 * has no write-only password argument on aws_elasticache_user — `passwords` and `authentication_mode.passwords` are
 * stored in the state (write-only `passwords_wo` was added later, hashicorp/terraform-provider-aws#45988, and a
 * two-password variant is still open, #48905). The RabbitMQ pattern (a bootstrap password in the state, replaced at
 * once by a rotation) would leave a usable password in the state between apply and first rotation; this design never
 * has one: Terraform creates the user with IAM authentication (no workload is granted `elasticache:Connect` on it, so
 * it admits nobody), the secret (first version write-only, user name only) and its rotation with `rotate_immediately`;
 * the function (./function/index.mjs) turns the user into a password user with ModifyUser and from then on keeps two
 * passwords per user (the current and the new one) so clients reconnect without downtime. Terraform ignores the user's
 * authentication afterwards (constructs/cache-user).
 *
 * Why one function per stack, not per environment: the function's role names each user and secret it may touch (the
 * least privilege the IAM simulation tests prove). An environment-wide function would need a policy edited by every
 * tenant's stack (coupling stacks, and an inline policy is limited to 10,240 characters per role) or a name pattern
 * covering every tenant's users. One per stack keeps a tenant's function to that tenant's users and secrets, and adding
 * a tenant never plans a change in another stack.
 *
 * The function calls AWS APIs only (Secrets Manager, ElastiCache), so it runs outside the VPC and has no network path
 * to the caches. Its role:
 * - Secrets Manager: the rotation actions on the registered secrets only; GetRandomPassword (no resource) in the region;
 * - ElastiCache: DescribeUsers and ModifyUser on the registered users only, ModifyUser only to password authentication
 *   (`elasticache:UserAuthenticationMode`);
 * - KMS: the data key through Secrets Manager only, for the registered secrets only (encryption context `SecretARN`);
 *   its own log group.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { join } from "node:path";
import { AssetType, Lazy, TerraformAsset, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { dnsSuffixOf, type AccountScope } from "../core/aws";
import { stageFunctionBundle } from "../core/function-bundle";
import { lambdaTrustStatement } from "../core/lambda-trust";
import { validateName, type Naming } from "../core/naming";
import { LOG_RETENTION_DAYS } from "../../config/schema/primitives";

/** The function's source; its bundle (with the shared rotation steps) is staged at synthesis (constructs/core/function-bundle.ts). */
export const CACHE_ROTATION_FUNCTION_SOURCE = join(__dirname, "function", "index.mjs");
/** Construct id of the stack's function: construct ids are API (a new id replaces the function). */
export const CACHE_ROTATION_ID = "cache-password-rotation";
/** Lambda runtime (its AWS SDK v3 includes the Secrets Manager and ElastiCache clients). */
export const CACHE_ROTATION_RUNTIME = "nodejs22.x";
/** Seconds a step may take: it waits up to 240 s for a user to become active again after ModifyUser. */
export const CACHE_ROTATION_TIMEOUT_SECONDS = 300;
/** Name component of the function, its role and log group. */
export const CACHE_ROTATION_COMPONENT = "cache-password-rotation";
/** Period of the alarm on the function's errors (any error in 5 minutes). */
export const ROTATION_ALARM_PERIOD_SECONDS = 300;
/** Tag of a password user's secret naming its ElastiCache user (the function reads it; see ./function/index.mjs). */
export const CACHE_USER_TAG = "platform:elasticache-user";

export interface CachePasswordRotationProps {
  /** Naming scope of the stack (the environment's, or a shared tenant's). */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Alias of the data key that encrypts the password secrets (alias/...). */
  readonly dataKeyAlias: string;
  /**
   * The function's log group: retention (a CloudWatch Logs value) and the alias of the logs key; and the alerts topic
   * an alarm on the function's errors publishes to (@default no alarm).
   */
  readonly logging: { readonly retentionDays: number; readonly kmsKeyAlias: string; readonly alarmTopicArn?: string };
}

export class CachePasswordRotation extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  /** Alarm on the function's errors (with `logging.alarmTopicArn`). */
  readonly errorsAlarm?: CloudwatchMetricAlarm;
  private readonly userArns: string[] = [];
  private readonly secretArns: string[] = [];

  /** The stack's function, created by the first caller (later callers' props must name the same key and scope). */
  static of(scope: Construct, props: CachePasswordRotationProps): CachePasswordRotation {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CACHE_ROTATION_ID);
    if (existing instanceof CachePasswordRotation) return existing;
    return new CachePasswordRotation(stack, CACHE_ROTATION_ID, props);
  }

  constructor(scope: Construct, id: string, props: CachePasswordRotationProps) {
    super(scope, id);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logging.retentionDays)) {
      throw new Error(`CachePasswordRotation ${id}: logging.retentionDays ${props.logging.retentionDays} is not a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(", ")})`);
    }
    const { naming, account } = props;
    const dataKey = new DataAwsKmsAlias(this, "data-key", { name: props.dataKeyAlias });
    const logsKey = new DataAwsKmsAlias(this, "logs-key", { name: props.logging.kmsKeyAlias });
    const functionName = naming.name("lambda-function", CACHE_ROTATION_COMPONENT);
    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: validateName("log-group", `/aws/lambda/${functionName}`),
      retentionInDays: props.logging.retentionDays,
      kmsKeyId: logsKey.targetKeyArn,
    });
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [lambdaTrustStatement(account.accountId)],
    });
    this.role = new IamRole(this, "role", {
      name: naming.name("iam-role", CACHE_ROTATION_COMPONENT),
      description: "Rotates the passwords of this stack's ElastiCache password users",
      assumeRolePolicy: trust.json,
    });
    // Resources are filled in as users register (Lazy: resolved at synthesis, after every construct exists).
    const secrets = Lazy.listValue({ produce: () => [...this.secretArns] });
    const users = Lazy.listValue({ produce: () => [...this.userArns] });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "RotateTheRegisteredSecrets",
          actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
          resources: secrets,
        },
        {
          // GetRandomPassword has no resource: it is scoped to the stack's region.
          sid: "GeneratePasswords",
          actions: ["secretsmanager:GetRandomPassword"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
        },
        { sid: "ReadTheRegisteredUsers", actions: ["elasticache:DescribeUsers"], resources: users },
        {
          sid: "SetPasswordsOfTheRegisteredUsers",
          actions: ["elasticache:ModifyUser"],
          resources: users,
          condition: [{ test: "StringEquals", variable: "elasticache:UserAuthenticationMode", values: ["password"] }],
        },
        {
          sid: "UseTheDataKey",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [dataKey.targetKeyArn],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${account.region}.${dnsSuffixOf(account.region)}`] },
            // Only for the registered secrets: the data key also encrypts other namespaces' (and tenants') secrets.
            { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: secrets },
          ],
        },
        { sid: "WriteItsLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
      ],
    });
    this.policy = new IamRolePolicy(this, "policy", { name: "rotate-cache-passwords", role: this.role.id, policy: permissions.json });

    const code = new TerraformAsset(this, "code", { path: stageFunctionBundle(CACHE_ROTATION_COMPONENT, CACHE_ROTATION_FUNCTION_SOURCE), type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, "function", {
      functionName,
      description: "Secrets Manager rotation of ElastiCache password users (ModifyUser, two passwords during a rotation)",
      role: this.role.arn,
      runtime: CACHE_ROTATION_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: code.assetHash,
      timeout: CACHE_ROTATION_TIMEOUT_SECONDS,
      memorySize: 256,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      // The role's permissions exist before the first rotation invokes the function.
      dependsOn: [logGroup, this.policy],
    });
    // A failed rotation keeps the previous password and is retried only at the next one; a failed first rotation
    // leaves the user without a password its clients can read.
    const topic = props.logging.alarmTopicArn;
    if (topic) {
      this.errorsAlarm = new CloudwatchMetricAlarm(this, "errors-alarm", {
        alarmName: naming.name("cloudwatch-alarm", "rotation", CACHE_ROTATION_COMPONENT, "errors"),
        alarmDescription: `${functionName}: a rotation of a cache password user failed; the previous password stays current until a rotation succeeds`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.function.functionName },
        statistic: "Sum",
        period: ROTATION_ALARM_PERIOD_SECONDS,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        actionsEnabled: true,
        alarmActions: [topic],
        okActions: [topic],
      });
    }
  }

  /** Admit one user and its secret (ARNs; may be references). */
  register(userArn: string, secretArn: string): void {
    this.userArns.push(userArn);
    this.secretArns.push(secretArn);
  }
}

/**
 * A product instance's own IAM-authenticated user on one of its environment's caches (constructs/redis), created by
 * the instance's stack and added to the cache's user group with `aws_elasticache_user_group_association`, so a
 * shared tenant's stack adds and removes its user without the environment's stack (which owns the group and ignores
 * its membership) or another tenant's stack ever planning a change.
 *
 * - The user id is also its name (IAM authentication requires it) and is unique per account and region.
 * - Its access string comes from constructs/core/data-users.ts `redisAccessString`: a shared tenant's user reaches
 *   only its key and channel prefix and none of the commands that would show or destroy other tenants' data.
 * - The user group admits at most ELASTICACHE_USERS_PER_USER_GROUP users by default; the configuration loader counts
 *   them per cache before anything is synthesized.
 * - Password mode (`password`, for clients that cannot sign an IAM token; product `services.<name>.authentication:
 *   password`): the user is still created with IAM authentication — which admits nobody, since no workload is granted
 *   `elasticache:Connect` on it — and its stack's rotation function (constructs/cache-password-rotation) turns it into
 *   a password user at once (`rotate_immediately`) and rotates it every `rotationDays`, keeping the current and the new
 *   password during a rotation. No password is ever in configuration, in Terraform or in its state: the provider
 *   version the project pins has no write-only password argument on aws_elasticache_user (see that module), so
 *   Terraform ignores the user's authentication once created. The password lives in a secret of the instance's
 *   namespace (`<prefix>/<namespace>/services/<service>/credentials`, constructs/core/secrets.ts), encrypted with the
 *   data key, tagged with the user id the function may set, read by the namespace's own SecretStore only. Switching
 *   back to `iam` removes the secret and rotation, and Terraform sets the user's authentication back to IAM.
 */
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroupAssociation } from "@cdktf/provider-aws/lib/elasticache-user-group-association";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { servicePrincipal } from "../core/aws";
import { validateName } from "../core/naming";
import { initialVersionSettings } from "../core/secret-versions";
import { CACHE_USER_TAG, type CachePasswordRotation } from "../cache-password-rotation";

/** Days between rotations of a password user's password (the first one runs when the user is created). */
export const CACHE_PASSWORD_ROTATION_DAYS = 30;
/** Rotation periods Secrets Manager accepts (`automatically_after_days`, 1 to 1000). */
export const ROTATION_DAYS_RANGE = [1, 1000] as const;

export interface CacheUserPasswordProps {
  /** The stack's rotation function (CachePasswordRotation.of). */
  readonly rotation: CachePasswordRotation;
  /** Secrets Manager name of the user's credentials (a secret of the instance's namespace). */
  readonly secretName: string;
  /** KMS key (ARN or alias) that encrypts the secret. */
  readonly kmsKeyId: string;
  /** Days a deleted secret can be restored. */
  readonly recoveryWindowDays: number;
  /** `prevent_destroy` on the secret (protected environments). */
  readonly protect: boolean;
  /** Account the rotation runs in (the permission's `source_account`). */
  readonly accountId: string;
  /**
   * Days between rotations.
   * @default 30 (CACHE_PASSWORD_ROTATION_DAYS)
   */
  readonly rotationDays?: number;
}

export interface CacheUserProps {
  /** User id and name (redisUserId). */
  readonly userId: string;
  /** The cache's engine (`valkey` or `redis`), as its connection description publishes it; may be a reference. */
  readonly engine: string;
  /** The cache's user group, as its connection description publishes it; may be a reference. */
  readonly userGroupId: string;
  /** ElastiCache access string (redisAccessString). */
  readonly accessString: string;
  /**
   * Password authentication instead of IAM, with the password generated and rotated in Secrets Manager (see the module
   * comment).
   * @default none: IAM authentication
   */
  readonly password?: CacheUserPasswordProps;
}

/**
 * What every access string must say: enabled, and never the dangerous commands — denied as a category (a product
 * instance), or every command denied first and the needed ones listed (`-@all +...`, a monitoring user).
 */
const REQUIRED = [/^on\s/, /\s-@(dangerous|all)(\s|$)/];

export class CacheUser extends Construct {
  readonly user: ElasticacheUser;
  readonly association: ElasticacheUserGroupAssociation;
  /** Password mode: the secret holding `{username, password}`. */
  readonly secret?: SecretsmanagerSecret;
  /** Password mode: the rotation (its first run makes the user a password user); what consumers wait for. */
  readonly rotation?: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: CacheUserProps) {
    super(scope, id);
    const problems: string[] = [];
    try {
      validateName("elasticache-user", props.userId);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (!REQUIRED.every((pattern) => pattern.test(props.accessString))) {
      problems.push(`access string "${props.accessString}" must enable the user ("on ...") and deny the dangerous commands ("-@dangerous", or "-@all" before the commands it allows)`);
    }
    if (!/\s-@dangerous(\s|$)/.test(props.accessString) && /\s\+@/.test(props.accessString)) {
      problems.push(`access string "${props.accessString}" starts from "-@all" and must then allow single commands only, not categories ("+@...")`);
    }
    if (/(^|\s)\+@all(\s|$)/.test(props.accessString) && /(^|\s)~\*(\s|$)/.test(props.accessString) && !props.accessString.includes("-@")) {
      problems.push(`access string "${props.accessString}" grants every command on every key`);
    }
    if (!Token.isUnresolved(props.engine) && !["valkey", "redis"].includes(props.engine)) problems.push(`engine "${props.engine}" is not valkey or redis`);
    const rotationDays = props.password?.rotationDays ?? CACHE_PASSWORD_ROTATION_DAYS;
    if (props.password && !(Number.isInteger(rotationDays) && rotationDays >= ROTATION_DAYS_RANGE[0] && rotationDays <= ROTATION_DAYS_RANGE[1])) {
      problems.push(`password.rotationDays ${rotationDays} must be a whole number of days from ${ROTATION_DAYS_RANGE[0]} to ${ROTATION_DAYS_RANGE[1]}`);
    }
    if (problems.length > 0) throw new Error(`CacheUser ${id} is invalid:\n  - ${problems.join("\n  - ")}`);

    this.user = new ElasticacheUser(this, "user", {
      userId: props.userId,
      userName: props.userId,
      engine: props.engine,
      accessString: props.accessString,
      // Password mode starts with IAM too (admitting nobody) and the rotation function owns the authentication after.
      authenticationMode: { type: "iam" },
      ...(props.password ? { lifecycle: { ignoreChanges: ["authentication_mode", "passwords", "no_password_required"] } } : {}),
    });
    this.association = new ElasticacheUserGroupAssociation(this, "membership", {
      userGroupId: props.userGroupId,
      userId: this.user.userId,
    });
    if (props.password) {
      const password = props.password;
      this.secret = new SecretsmanagerSecret(this, "secret", {
        name: password.secretName,
        description: `Password of ElastiCache user ${props.userId} (generated and rotated by its stack's rotation function)`,
        kmsKeyId: password.kmsKeyId,
        recoveryWindowInDays: password.recoveryWindowDays,
        tags: { [CACHE_USER_TAG]: props.userId },
        lifecycle: { preventDestroy: password.protect },
      });
      // The first version names the user only (write-only, so not stored either); the first rotation adds the password.
      const version = new SecretsmanagerSecretVersion(this, "secret-version", {
        secretId: this.secret.id,
        secretStringWo: Fn.jsonencode({ username: props.userId }),
        secretStringWoVersion: 1,
        // A label of its own: never pruned, so never planned again without its password (constructs/core/secret-versions.ts).
        ...initialVersionSettings(),
      });
      password.rotation.register(this.user.arn, this.secret.arn);
      const permission = new LambdaPermission(this, "rotation-permission", {
        statementId: `SecretsManagerRotation-${props.userId}`,
        action: "lambda:InvokeFunction",
        functionName: password.rotation.function.functionName,
        principal: servicePrincipal("secretsmanager"),
        sourceArn: this.secret.arn,
        sourceAccount: password.accountId,
      });
      this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
        secretId: this.secret.id,
        rotationLambdaArn: password.rotation.function.arn,
        // The first rotation makes the user a password user as soon as it is in its group.
        rotateImmediately: true,
        rotationRules: { automaticallyAfterDays: rotationDays },
        dependsOn: [this.association, version, permission, password.rotation.policy],
      });
    }
  }
}

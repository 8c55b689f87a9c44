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
 */
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroupAssociation } from "@cdktf/provider-aws/lib/elasticache-user-group-association";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { validateName } from "../core/naming";

export interface CacheUserProps {
  /** User id and name (redisUserId). */
  readonly userId: string;
  /** The cache's engine (`valkey` or `redis`), as its connection description publishes it; may be a reference. */
  readonly engine: string;
  /** The cache's user group, as its connection description publishes it; may be a reference. */
  readonly userGroupId: string;
  /** ElastiCache access string (redisAccessString). */
  readonly accessString: string;
}

/** What every product instance's access string must say: enabled, and never the dangerous commands. */
const REQUIRED = [/^on\s/, /\s-@dangerous(\s|$)/];

export class CacheUser extends Construct {
  readonly user: ElasticacheUser;
  readonly association: ElasticacheUserGroupAssociation;

  constructor(scope: Construct, id: string, props: CacheUserProps) {
    super(scope, id);
    const problems: string[] = [];
    try {
      validateName("elasticache-user", props.userId);
    } catch (error) {
      problems.push((error as Error).message);
    }
    if (!REQUIRED.every((pattern) => pattern.test(props.accessString))) {
      problems.push(`access string "${props.accessString}" must enable the user ("on ...") and deny the dangerous commands ("-@dangerous")`);
    }
    if (/(^|\s)\+@all(\s|$)/.test(props.accessString) && /(^|\s)~\*(\s|$)/.test(props.accessString) && !props.accessString.includes("-@")) {
      problems.push(`access string "${props.accessString}" grants every command on every key`);
    }
    if (!Token.isUnresolved(props.engine) && !["valkey", "redis"].includes(props.engine)) problems.push(`engine "${props.engine}" is not valkey or redis`);
    if (problems.length > 0) throw new Error(`CacheUser ${id} is invalid:\n  - ${problems.join("\n  - ")}`);

    this.user = new ElasticacheUser(this, "user", {
      userId: props.userId,
      userName: props.userId,
      engine: props.engine,
      accessString: props.accessString,
      authenticationMode: { type: "iam" },
    });
    this.association = new ElasticacheUserGroupAssociation(this, "membership", {
      userGroupId: props.userGroupId,
      userId: this.user.userId,
    });
  }
}

/**
 * What every managed data service shares: its own security group that admits the service's port only from
 * security groups passed in (never from CIDR blocks), the publication of its non-secret connection description as
 * an SSM parameter (see constructs/core/connections.ts), its encrypted log groups, and the props every data-service
 * construct takes (data tier, keys, protection, backup plan).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../../config/schema/primitives";
import type { AccountScope } from "../core/aws";
import { connectionParameterName, type ServiceConnection } from "../core/connections";
import type { Naming } from "../core/naming";
import { secretName } from "../core/secrets";

/** The data tier of the VPC a service is placed in. */
export interface DataTier {
  readonly vpcId: string;
  /** Data subnet ids, in availability zone order (one per zone). */
  readonly subnetIds: readonly string[];
  /** Availability zones of `subnetIds`, in the same order. */
  readonly availabilityZones: readonly string[];
  /** DB subnet group over the data subnets (RDS, Aurora, DocumentDB). */
  readonly dbSubnetGroupName: string;
  /** ElastiCache subnet group over the data subnets. */
  readonly cacheSubnetGroupName: string;
}

/** Where a service writes its logs. */
export interface ServiceLogging {
  /** Retention of the service's log groups (a CloudWatch Logs retention value). */
  readonly retentionDays: number;
  /** Customer-managed key of the log groups (the environment's logs key). */
  readonly kmsKey: KmsKey;
}

/** Props every data-service construct takes. */
export interface DataServiceProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Service name from configuration; unique per environment across kinds (it names the connection parameter). */
  readonly name: string;
  readonly dataTier: DataTier;
  /**
   * Security groups whose members may connect (the cluster's nodes and pods). Must be security group ids or
   * references; CIDR blocks are rejected.
   */
  readonly allowedSecurityGroupIds: readonly string[];
  /** Customer-managed key that encrypts the service's storage, snapshots and secrets (the data key). */
  readonly encryptionKey: KmsKey;
  readonly logging: ServiceLogging;
  /**
   * Deletion protection, a final snapshot on delete and `lifecycle.prevent_destroy`.
   * @default true — environments opt out explicitly (development, see protectsState())
   */
  readonly protectState?: boolean;
  /**
   * Enforce the high-availability minimums of the kind (readers, nodes, zones) and fail when settings fall short.
   * @default true — production; other profiles pass false to run cheaper single-zone shapes
   */
  readonly highAvailability?: boolean;
  /**
   * Backup plan that selects the service's stateful resources (value of the `platform:backup` tag).
   * @default "default"
   */
  readonly backupPlan?: string;
}

const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const LOOKS_LIKE_CIDR = /^[0-9a-f.:]+\/\d{1,3}$/i;

/** Problems with a list of security group sources (empty when valid). */
export function securityGroupSourceProblems(sources: readonly string[]): string[] {
  if (sources.length === 0) {
    return ["at least one source security group is required (the workload security group); a data service with no clients is unreachable"];
  }
  const problems: string[] = [];
  for (const source of sources) {
    if (Token.isUnresolved(source)) continue; // a reference to a security group created elsewhere
    if (LOOKS_LIKE_CIDR.test(source)) {
      problems.push(`"${source}" is a CIDR block; data services admit only security groups (pass the workload security group), never address ranges`);
    } else if (!SECURITY_GROUP_ID.test(source)) {
      problems.push(`"${source}" is not a security group id (sg-...) or a reference to a security group`);
    }
  }
  return problems;
}

export interface ServiceSecurityGroupProps {
  readonly naming: Naming;
  readonly vpcId: string;
  /** `<kind>-<service name>`, the group's name component. */
  readonly component: string;
  readonly description: string;
  /** TCP ports clients connect to. */
  readonly ports: readonly number[];
  /** Security groups whose members may connect; CIDR blocks are rejected. */
  readonly sources: readonly string[];
}

/**
 * A data service's own security group: ingress on the service ports from the given security groups only, and no
 * egress rules (managed services answer on established connections and never initiate any).
 */
export class ServiceSecurityGroup extends Construct {
  readonly group: SecurityGroup;
  /** Id of the security group (a token). */
  readonly groupId: string;

  constructor(scope: Construct, id: string, props: ServiceSecurityGroupProps) {
    super(scope, id);
    const problems = securityGroupSourceProblems(props.sources);
    if (problems.length > 0) {
      throw new Error(`${props.component}: invalid allowedSecurityGroupIds:\n  - ${problems.join("\n  - ")}`);
    }
    const name = props.naming.name("security-group", props.component);
    this.group = new SecurityGroup(this, "group", {
      name,
      description: props.description,
      vpcId: props.vpcId,
      tags: { Name: name },
    });
    this.groupId = this.group.id;
    props.sources.forEach((source, sourceIndex) => {
      for (const port of props.ports) {
        // Ids combine the source's position with the port: sources come from code (the stack), not from a map.
        new VpcSecurityGroupIngressRule(this, `ingress-${sourceIndex}-${port}`, {
          securityGroupId: this.group.id,
          description: `${props.component} clients`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: source,
        });
      }
    });
  }
}

/** What a service publishes: the connection contract, plus what its clients' own users are created with. */
export type PublishedConnection = ServiceConnection & {
  /** Engine of the service's users (a cache's `valkey` or `redis`). */
  readonly engine?: string;
  /** User group a cache's users join (constructs/cache-user). */
  readonly userGroupId?: string;
};

/**
 * Publishes a service's connection description as a String SSM parameter at connectionParameterName(). The value
 * is non-secret JSON: endpoints, port, TLS, and at most the ARN of the secret holding credentials.
 */
export function publishConnection(scope: Construct, id: string, naming: Naming, connection: PublishedConnection): SsmParameter {
  const body = Object.fromEntries(Object.entries(connection).filter(([, value]) => value !== undefined));
  return new SsmParameter(scope, id, {
    name: connectionParameterName(naming, connection.name),
    description: `Connection to the ${connection.kind} service ${connection.name} (no secret values)`,
    type: "String",
    tier: "Standard",
    value: Fn.jsonencode(body),
  });
}

/** A log group with retention and the logs key; `name` is fixed by the service (e.g. /aws/rds/...) or the naming helper. */
export function serviceLogGroup(scope: Construct, id: string, name: string, logging: ServiceLogging): CloudwatchLogGroup {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logging.retentionDays)) {
    throw new Error(`log group ${name}: retentionDays ${logging.retentionDays} is not a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(", ")})`);
  }
  return new CloudwatchLogGroup(scope, id, {
    name,
    retentionInDays: logging.retentionDays,
    kmsKeyId: logging.kmsKey.arn,
  });
}

/** The entries of `props` named in `keys` that are not undefined (so an absent prop never overrides a default). */
export function pickDefined<T extends object, K extends keyof T>(props: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => props[key] !== undefined).map((key) => [key, props[key]])) as Partial<Pick<T, K>>;
}

/** Secrets Manager name of credentials a service's construct generates (constructs/core/secrets.ts, owner `service`). */
export function serviceSecretName(naming: Naming, serviceName: string): string {
  return secretName(naming, { kind: "service", service: serviceName });
}

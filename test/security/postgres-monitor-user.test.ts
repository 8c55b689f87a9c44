/**
 * Issue 17 gap 2 (PostgreSQL exporter): the rotation function of each database's monitoring user has least privilege,
 * proven by IAM simulation (identity policy, AWS-managed policy and permissions boundary) over the bundled stacks,
 * where production turns the PostgreSQL exporters on. A database's function may rotate its own monitoring secret and
 * read its own database's master secret (RDS manages it), decrypt those two with the data key through Secrets Manager
 * only, and nothing else: not another database's master secret or monitoring secret, not a product's secret, not the
 * master secret's value written back. The platform's ClusterSecretStore role reads the monitoring secrets, which no
 * product namespace's store may.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { connectionParameterName } from "../../constructs/core/connections";
import { Naming } from "../../constructs/core/naming";
import { postgresExporterSecretName } from "../../constructs/postgres-monitor-user/naming";
import { bundledModels, iamWorld, type IamWorld } from "../support/iam";

/** Stacks whose bundled configuration turns the PostgreSQL exporters on, with their naming scope and databases. */
const WITH_EXPORTERS = [
  { stack: "prod-infra", naming: new Naming({ project: "acme", environment: "prod" }), databases: ["murima-db", "noor-db", "smartedu-db"] },
  { stack: "tenant-initech-infra", naming: new Naming({ project: "acme", environment: "prod", tenant: "initech" }), databases: ["smartedu-db"] },
];

describe("PostgreSQL monitoring-user rotation functions have least privilege (IAM simulation over the bundled stacks)", () => {
  let world: IamWorld;
  beforeAll(() => {
    world = iamWorld(bundledModels());
  });

  it("one function per database of the environments with PostgreSQL exporters, none elsewhere", () => {
    const roles = world.rolesNamed(/-monitor-rotation$/).map((role) => `${role.stack}:${role.name}`);
    expect(roles.sort()).toEqual(WITH_EXPORTERS.flatMap(({ stack, naming, databases }) => databases.map((db) => `${stack}:${naming.prefix}-pg-${db}-monitor-rotation`)).sort());
  });

  for (const { stack, naming, databases } of WITH_EXPORTERS) {
    for (const db of databases) {
      it(`${stack} ${db}: rotates its secret and reads its master secret, nothing else`, async () => {
        const [role] = world.rolesNamed(new RegExp(`^${naming.prefix}-pg-${db}-monitor-rotation$`));
        expect(role).toBeDefined();
        const secrets = world.secrets();
        const own = secrets.find((secret) => secret.name === postgresExporterSecretName(naming, db));
        expect(own, "its monitoring secret").toBeDefined();
        // The database's master secret, by the ARN its connection description publishes (as the exporter's readers find it).
        const masterArn = world.parameterField(connectionParameterName(naming, db), "secretArn");
        const master = secrets.find((secret) => secret.managedBy === "rds" && secret.arn === masterArn);
        expect(master, `the master secret of ${db} (${masterArn})`).toBeDefined();
        const region = own!.arn.split(":")[3] as string;
        const via = (secret: { arn: string }) => ({ context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret.arn } });

        for (const action of ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]) {
          expect(await world.decide(role!.arn, action, own!.arn), action).toBe("Allowed");
        }
        expect(await world.decide(role!.arn, "secretsmanager:GetSecretValue", master!.arn)).toBe("Allowed");
        for (const action of ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DeleteSecret", "secretsmanager:RotateSecret"]) {
          expect(await world.decide(role!.arn, action, master!.arn), action).not.toBe("Allowed");
        }
        expect(await world.decide(role!.arn, "kms:Decrypt", own!.keyArn, via(own!))).toBe("Allowed");
        expect(await world.decide(role!.arn, "kms:Decrypt", master!.keyArn, via(master!))).toBe("Allowed");
        expect(await world.decide(role!.arn, "kms:GenerateDataKey", own!.keyArn, via(own!))).toBe("Allowed");
        expect(await world.decide(role!.arn, "kms:GenerateDataKey", master!.keyArn, via(master!))).not.toBe("Allowed");
        expect(await world.decide(role!.arn, "kms:Decrypt", own!.keyArn)).not.toBe("Allowed");

        const foreign = secrets.filter((secret) => secret.arn !== own!.arn && secret.arn !== master!.arn);
        expect(foreign.some((secret) => secret.managedBy === "rds")).toBe(true);
        for (const secret of foreign) {
          expect(await world.decide(role!.arn, "secretsmanager:GetSecretValue", secret.arn), `${secret.stack} ${secret.name}`).not.toBe("Allowed");
        }
        // The data keys' policies are checked for the secrets the stacks create; a master secret of another database
        // may be under the account's aws/secretsmanager key, whose AWS-written policy admits every principal of the
        // account through Secrets Manager (which then still needs GetSecretValue, denied above).
        for (const secret of foreign.filter((candidate) => candidate.managedBy === "terraform")) {
          expect(await world.decide(role!.arn, "kms:Decrypt", secret.keyArn, via(secret)), `decrypt ${secret.stack} ${secret.name}`).not.toBe("Allowed");
        }
        expect(await world.decide(role!.arn, "secretsmanager:GetRandomPassword", "*", { context: { "aws:RequestedRegion": region } })).toBe("Allowed");
        expect(await world.decide(role!.arn, "secretsmanager:GetRandomPassword", "*", { context: { "aws:RequestedRegion": "us-east-1" } })).not.toBe("Allowed");
        expect(await world.decide(role!.arn, "rds:ModifyDBCluster", "*")).not.toBe("Allowed");
        // Its own log group only: no log group of its own making, no writing into another (AWSLambdaVPCAccessExecutionRole would allow both).
        const logs = `arn:aws:logs:${region}:${role!.arn.split(":")[4]}:log-group`;
        expect(await world.decide(role!.arn, "logs:PutLogEvents", `${logs}:/aws/lambda/${naming.prefix}-pg-${db}-monitor-rotation:log-stream:x`)).toBe("Allowed");
        expect(await world.decide(role!.arn, "logs:PutLogEvents", `${logs}:/platform/audit:log-stream:x`)).not.toBe("Allowed");
        expect(await world.decide(role!.arn, "logs:CreateLogGroup", `${logs}:/anything`)).not.toBe("Allowed");
        const account = role!.arn.split(":")[4];
        expect(await world.decide(role!.arn, "ec2:CreateNetworkInterface", `arn:aws:ec2:${region}:${account}:network-interface/*`)).toBe("Allowed");
        expect(await world.decide(role!.arn, "ec2:CreateNetworkInterface", `arn:aws:ec2:us-east-1:${account}:network-interface/*`)).not.toBe("Allowed");
        expect(await world.decide(role!.arn, "ec2:DescribeNetworkInterfaces", "*", { context: { "aws:RequestedRegion": region } })).toBe("Allowed");
      });
    }
  }

  it("only the platform's ClusterSecretStore reads the monitoring secrets; product stores do not", async () => {
    const naming = WITH_EXPORTERS[0]!.naming;
    const secret = world.secrets().find((candidate) => candidate.name === postgresExporterSecretName(naming, "noor-db"));
    expect(secret).toBeDefined();
    const readers = [];
    for (const role of world.allRoles().filter((candidate) => candidate.stack === "prod-platform")) {
      if ((await world.decide(role.arn, "secretsmanager:GetSecretValue", secret!.arn)) === "Allowed") readers.push(role.name);
    }
    expect(readers.length).toBeGreaterThan(0);
    expect(readers.every((name) => !/-eso-(noor|murima|smartedu)$/.test(name)), readers.join(", ")).toBe(true);
  });
});

/**
 * Issue 17 gap 2: the rotation functions of Redis password users have least privilege, proven by IAM simulation
 * (identity policy and permissions boundary) over the bundled stacks, where Murima's cache binding is in password mode
 * in every environment. Each platform stack's function may set the password of Murima's own cache user (to password
 * authentication only) and rotate Murima's cache secret; it may not touch another product's user (IAM users of the same
 * environment), the tenant's users, the cache's default user, another secret of Murima's namespace, or decrypt other
 * secrets with the data key. Murima's workloads read the password through their namespace's store and hold no
 * elasticache:Connect for a user that has no IAM authentication. In production the Redis exporters' monitoring users
 * (observability.exporters.redis) are registered with the same function, and the platform's ClusterSecretStore reads
 * their secrets for the monitoring namespace.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Naming } from "../../constructs/core/naming";
import { cachePasswordSecretName } from "../../constructs/product-workloads";
import { redisUserId } from "../../constructs/redis";
import { redisExporterSecretName, redisExporterUserId } from "../../constructs/redis-exporter";
import { bundledModels, iamWorld, type IamWorld } from "../support/iam";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
/** Environments whose bundled configuration turns the Redis exporters on. */
const WITH_EXPORTERS: readonly string[] = ["prod"];
const CACHES = ["murima-cache", "noor-cache", "smartedu-cache"];

describe("Redis password rotation functions have least privilege (IAM simulation over the bundled stacks)", () => {
  let world: IamWorld;
  beforeAll(() => {
    world = iamWorld(bundledModels());
  });

  const rotationRole = (environment: string) => {
    const roles = world.rolesNamed(new RegExp(`^acme-${environment}-cache-password-rotation$`));
    expect(roles, environment).toHaveLength(1);
    return roles[0]!;
  };
  const scopeOf = (arn: string) => ({ accountId: arn.split(":")[4] as string });

  it("one function per platform stack that has password users, none elsewhere", () => {
    const roles = world.rolesNamed(/-cache-password-rotation$/);
    // The dedicated tenant initech (production's configuration, its own caches) has its own.
    expect(roles.map((role) => `${role.stack}:${role.name}`).sort()).toEqual(
      [...ENVIRONMENTS.map((environment) => `${environment}-platform:acme-${environment}-cache-password-rotation`), "tenant-initech-platform:acme-prod-initech-cache-password-rotation"].sort(),
    );
  });

  for (const environment of ENVIRONMENTS) {
    it(`${environment}: sets Murima's cache password and rotates its secret, nothing else`, async () => {
      const role = rotationRole(environment);
      const secrets = world.secrets().filter((secret) => secret.stack === `${environment}-platform`);
      const region = secrets[0]!.arn.split(":")[3] as string;
      const { accountId } = scopeOf(role.arn);
      const naming = new Naming({ project: "acme", environment });
      const user = (id: string) => `arn:aws:elasticache:${region}:${accountId}:user:${id}`;
      const password = { context: { "elasticache:UserAuthenticationMode": "password" } };

      const own = redisUserId(naming, "murima-cache", "murima");
      expect(await world.decide(role.arn, "elasticache:ModifyUser", user(own), password)).toBe("Allowed");
      expect(await world.decide(role.arn, "elasticache:DescribeUsers", user(own))).toBe("Allowed");
      expect(await world.decide(role.arn, "elasticache:ModifyUser", user(own), { context: { "elasticache:UserAuthenticationMode": "iam" } })).not.toBe("Allowed");
      expect(await world.decide(role.arn, "elasticache:DeleteUser", user(own))).not.toBe("Allowed");
      const others = [redisUserId(naming, "noor-cache", "noor"), redisUserId(naming, "smartedu-cache", "smartedu"), redisUserId(naming.forTenant("globex"), "noor-cache", "noor"), `acme-${environment}-redis-murima-cache-default`];
      for (const other of others) expect(await world.decide(role.arn, "elasticache:ModifyUser", user(other), password), other).not.toBe("Allowed");
      const exporters = WITH_EXPORTERS.includes(environment);
      for (const cache of CACHES) {
        expect(await world.decide(role.arn, "elasticache:ModifyUser", user(redisExporterUserId(naming, cache)), password), cache).toBe(exporters ? "Allowed" : "ImplicitlyDenied");
      }

      const mine = secrets.find((secret) => secret.name === cachePasswordSecretName(naming, "murima", "cache"));
      expect(mine, "Murima's cache secret").toBeDefined();
      const exporterSecrets = secrets.filter((secret) => CACHES.some((cache) => secret.name === redisExporterSecretName(naming, cache)));
      expect(exporterSecrets.length).toBe(exporters ? CACHES.length : 0);
      for (const secret of exporterSecrets) expect(await world.decide(role.arn, "secretsmanager:PutSecretValue", secret.arn), secret.name).toBe("Allowed");
      for (const action of ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]) {
        expect(await world.decide(role.arn, action, mine!.arn), action).toBe("Allowed");
      }
      const via = (secret: { arn: string }) => ({ context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret.arn } });
      expect(await world.decide(role.arn, "kms:Decrypt", mine!.keyArn, via(mine!))).toBe("Allowed");
      expect(await world.decide(role.arn, "kms:Decrypt", mine!.keyArn)).not.toBe("Allowed");
      const registered = new Set([mine!.arn, ...exporterSecrets.map((secret) => secret.arn)]);
      const foreign = world.secrets().filter((secret) => !registered.has(secret.arn));
      expect(foreign.some((secret) => secret.name.startsWith(`acme-${environment}/murima/`))).toBe(true);
      for (const secret of foreign) expect(await world.decide(role.arn, "secretsmanager:GetSecretValue", secret.arn), secret.name).not.toBe("Allowed");
      for (const secret of foreign.filter((candidate) => candidate.managedBy === "terraform")) {
        expect(await world.decide(role.arn, "kms:Decrypt", secret.keyArn, via(secret)), secret.name).not.toBe("Allowed");
      }
      expect(await world.decide(role.arn, "secretsmanager:GetRandomPassword", "*", { context: { "aws:RequestedRegion": region } })).toBe("Allowed");
      expect(await world.decide(role.arn, "secretsmanager:GetRandomPassword", "*", { context: { "aws:RequestedRegion": "us-east-1" } })).not.toBe("Allowed");

      // Murima's store reads the secret; no Murima workload may connect as the user with IAM.
      const store = world.rolesNamed(new RegExp(`^acme-${environment}-eso-murima$`))[0]!;
      expect(await world.decide(store.arn, "secretsmanager:GetSecretValue", mine!.arn)).toBe("Allowed");
      const workloads = world.allRoles().filter((candidate) => candidate.stack === `${environment}-platform` && candidate.name.startsWith(`acme-${environment}-murima-`));
      expect(workloads.length).toBeGreaterThan(3);
      for (const workload of workloads) expect(await world.decide(workload.arn, "elasticache:Connect", user(own)), workload.name).not.toBe("Allowed");
    });
  }
});

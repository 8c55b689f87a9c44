/**
 * Issue 15.3: tenant isolation is enforced, proven on the synthesized stacks. Two shared tenants of production run
 * NOOR — the bundled `globex` and a second, `hooli`, added in a temporary configuration where NOOR's backend also uses
 * the environment's OpenSearch — and IAM simulation (identity, resource and trust policies, KMS) shows each tenant's
 * roles are denied the other's S3 prefix, secrets, database user and cache user, and allowed their own; the
 * ElastiCache access strings and the OpenSearch role definitions and mappings the stacks render keep each tenant to
 * its own keys and indices. NOOR's backend also uses a cache in password mode: each tenant's rotation function may set
 * the password of its own user and read its own secret only, and no other tenant role reads that secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/loader";
import { connectionParameterName } from "../../constructs/core/connections";
import { Naming } from "../../constructs/core/naming";
import { bucketName } from "../../constructs/object-storage";
import { StackModel, type SynthesizedStack } from "../../constructs/policy/model";
import { redisReplicationGroupId, redisUserId } from "../../constructs/redis";
import { cachePasswordSecretName } from "../../constructs/product-workloads";
import { REDIS_EXPORTER_ACCESS_STRING } from "../../constructs/redis-exporter";
import { ESO_NAMESPACE_TAG, ESO_STORE_KIND_TAG } from "../../constructs/namespace-secrets";
import { iamWorld, type IamWorld } from "../support/iam";
import { externalSecretsWorld, sessionTagContext, type ExternalSecretsWorld } from "../support/external-secrets";
import { synthToTexts, tempConfig } from "../support/synth";

const ACCOUNT = "111111111111";
const REGION = "eu-west-1";
const TENANTS = ["globex", "hooli"] as const;
type Tenant = (typeof TENANTS)[number];
const other = (tenant: Tenant): Tenant => (tenant === "globex" ? "hooli" : "globex");
const env = new Naming({ project: "acme", environment: "prod" });

/** A Redis key pattern (glob) covers a key. */
function globCovers(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(name);
}

describe("shared tenants are isolated (IAM simulation over the synthesized stacks)", () => {
  let world: IamWorld;
  let models: StackModel[];
  let eso: ExternalSecretsWorld;
  const stackOf = (tenant: Tenant) => `prod-tenant-${tenant}`;
  const model = (name: string) => models.find((candidate) => candidate.stackName === name) as StackModel;
  const rolesOf = (tenant: Tenant) => world.allRoles().filter((role) => role.stack === stackOf(tenant));
  const backendRole = (tenant: Tenant) => world.role(`arn:aws:iam::${ACCOUNT}:role/acme-prod-${tenant}-${tenant}-noor-backend`);

  beforeAll(async () => {
    const dir = tempConfig({
      set: {
        "products/noor.yaml": {
          // A second cache binding in password mode (issue 17 gap 2): each tenant's own password user on murima-cache.
          services: { search: { kind: "opensearch", name: "murima-search", envPrefix: "SEARCH" }, sessions: { kind: "redis", name: "murima-cache", envPrefix: "SESSIONS", authentication: "password" } },
          workloads: { backend: { uses: ["database", "cache", "search", "sessions"] } },
        },
      },
      write: { "tenants/hooli.yaml": "id: hooli\nenvironment: prod\nisolation: shared\ningressGroup: 1\nproducts: { noor: {} }\n" },
    });
    // The account stack holds the permissions boundary every role carries.
    const texts = await synthToTexts(loadConfig(dir), { stackPatterns: ["prod-*", "account-*"] });
    models = [...texts].map(([name, text]) => new StackModel(JSON.parse(text) as SynthesizedStack, name));
    world = iamWorld(models);
    eso = externalSecretsWorld(models);
  }, 240_000);

  it("synthesizes both tenants' stacks with their own roles", () => {
    for (const tenant of TENANTS) expect(rolesOf(tenant).length, tenant).toBeGreaterThan(2);
  });

  it("S3: each tenant reads and writes its own prefix of the environment's bucket, never the other's", async () => {
    const bucket = `arn:aws:s3:::${bucketName(env, "noor-uploads")}`;
    for (const tenant of TENANTS) {
      const role = backendRole(tenant).arn;
      expect(await world.decide(role, "s3:PutObject", `${bucket}/tenants/${tenant}/report.pdf`), tenant).toBe("Allowed");
      expect(await world.decide(role, "s3:ListBucket", bucket, { context: { "s3:prefix": `tenants/${tenant}/` } }), tenant).toBe("Allowed");
      for (const each of rolesOf(tenant)) {
        for (const action of ["s3:GetObject", "s3:PutObject"]) {
          expect(await world.decide(each.arn, action, `${bucket}/tenants/${other(tenant)}/report.pdf`), `${each.name} ${action}`).not.toBe("Allowed");
          expect(await world.decide(each.arn, action, `${bucket}/shared/report.pdf`), `${each.name} ${action} outside tenants/`).not.toBe("Allowed");
        }
        expect(await world.decide(each.arn, "s3:ListBucket", bucket, { context: { "s3:prefix": `tenants/${other(tenant)}/` } }), each.name).not.toBe("Allowed");
      }
    }
  });

  it("Secrets: a tenant's store reads its own secrets; no role of it reads the other tenant's or the platform's", async () => {
    const secrets = world.secrets();
    for (const tenant of TENANTS) {
      const own = secrets.filter((secret) => secret.stack === stackOf(tenant));
      const foreign = secrets.filter((secret) => secret.stack !== stackOf(tenant));
      expect(own.length).toBeGreaterThan(0);
      expect(foreign.some((secret) => secret.stack === stackOf(other(tenant)))).toBe(true);
      expect(foreign.some((secret) => secret.managedBy === "rds")).toBe(true);
      const store = world.role(`arn:aws:iam::${ACCOUNT}:role/acme-prod-${tenant}-eso-${tenant}-noor`);
      for (const secret of own) expect(await world.decide(store.arn, "secretsmanager:GetSecretValue", secret.arn), secret.name).toBe("Allowed");
      for (const each of rolesOf(tenant)) {
        for (const secret of foreign) {
          expect(await world.decide(each.arn, "secretsmanager:GetSecretValue", secret.arn), `${each.name} -> ${secret.name}`).not.toBe("Allowed");
        }
        // Nor decrypt them with the environment's key (the AWS-managed key RDS uses admits every principal of the account).
        for (const secret of foreign.filter((candidate) => candidate.managedBy === "terraform")) {
          const region = secret.arn.split(":")[3];
          const decrypt = await world.decide(each.arn, "kms:Decrypt", secret.keyArn, { context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret.arn } });
          expect(decrypt, `${each.name} decrypts ${secret.name}`).not.toBe("Allowed");
        }
      }
    }
  });

  it("Secrets: the operator assumes a tenant's store role only for that tenant's namespace, so another namespace's SecretStore naming it is refused", async () => {
    const operator = eso.operators.get(env.clusterName);
    expect(operator).toBeDefined();
    const operatorArn = world.resolveIn(operator!.stack, operator!.roleArn)!;
    for (const tenant of TENANTS) {
      const store = `arn:aws:iam::${ACCOUNT}:role/acme-prod-${tenant}-eso-${tenant}-noor`;
      const as = (namespace: string) => world.decide(operatorArn, "sts:AssumeRole", store, { context: sessionTagContext({ [ESO_NAMESPACE_TAG]: namespace, [ESO_STORE_KIND_TAG]: "SecretStore" }) });
      expect(await as(`${tenant}-noor`)).toBe("Allowed");
      expect(await as(`${other(tenant)}-noor`)).not.toBe("Allowed");
      expect(await as("noor")).not.toBe("Allowed");
    }
    // Tenant namespaces cannot use the platform's ClusterSecretStores at all.
    for (const store of eso.clusterStores) expect(store.namespaces, store.name).toEqual(["monitoring"]);
  });

  it("PostgreSQL: each tenant connects as its own user on the cluster's resource id only, never another's or the master user", async () => {
    const resourceId = world.parameterField(connectionParameterName(env, "noor-db"), "resourceId");
    expect(resourceId).toMatch(/^cluster-[A-Z0-9]{26}$/);
    const dbuser = (user: string) => `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:${resourceId}/${user}`;
    for (const tenant of TENANTS) {
      expect(await world.decide(backendRole(tenant).arn, "rds-db:connect", dbuser(`${tenant}_noor`)), tenant).toBe("Allowed");
      for (const each of rolesOf(tenant)) {
        for (const user of [`${other(tenant)}_noor`, "noor", "platform_admin"]) {
          expect(await world.decide(each.arn, "rds-db:connect", dbuser(user)), `${each.name} as ${user}`).not.toBe("Allowed");
        }
        // Nor the same user name on another cluster.
        expect(await world.decide(each.arn, "rds-db:connect", `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:cluster-OTHER/${tenant}_noor`), each.name).not.toBe("Allowed");
      }
    }
  });

  it("PostgreSQL: the master credentials are read only by the database-bootstrap namespace's store and the database's own monitoring-user rotation", async () => {
    const masters = world.secrets().filter((secret) => secret.managedBy === "rds" && /aws_(rds_cluster|db_instance)\./.test(secret.address));
    expect(masters.length).toBe(3);
    const readers: string[] = [];
    for (const role of world.allRoles().filter((candidate) => candidate.stack !== "bootstrap")) {
      for (const secret of masters) {
        if ((await world.decide(role.arn, "secretsmanager:GetSecretValue", secret.arn)) === "Allowed") readers.push(`${/services_postgres-([a-z0-9-]+)_/.exec(secret.address)?.[1]}:${role.name}`);
      }
    }
    // Production runs the PostgreSQL exporters (observability.exporters.postgres): each database's rotation function of
    // its monitoring user reads that database's master secret, no other one.
    const databases = ["murima-db", "noor-db", "smartedu-db"];
    expect([...new Set(readers)].sort()).toEqual(databases.flatMap((db) => [`${db}:acme-prod-eso-database-bootstrap`, `${db}:acme-prod-pg-${db}-monitor-rotation`]).sort());
  });

  it("Redis: each tenant connects as its own ElastiCache user only, limited to its key prefix", async () => {
    const arn = (kind: string, id: string) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:${kind}:${id}`;
    const group = arn("replicationgroup", redisReplicationGroupId(env, "noor-cache"));
    const users = Object.values(models.flatMap((each) => Object.values(each.json.resource?.aws_elasticache_user ?? {}))) as { user_id: string; access_string: string }[];
    for (const tenant of TENANTS) {
      const own = redisUserId(env.forTenant(tenant), "noor-cache", "noor");
      const theirs = redisUserId(env.forTenant(other(tenant)), "noor-cache", "noor");
      expect(await world.decide(backendRole(tenant).arn, "elasticache:Connect", group)).toBe("Allowed");
      expect(await world.decide(backendRole(tenant).arn, "elasticache:Connect", arn("user", own))).toBe("Allowed");
      for (const each of rolesOf(tenant)) {
        for (const user of [theirs, redisUserId(env, "noor-cache", "noor"), "acme-prod-redis-noor-cache-default"]) {
          expect(await world.decide(each.arn, "elasticache:Connect", arn("user", user)), `${each.name} as ${user}`).not.toBe("Allowed");
        }
      }
      const access = users.find((user) => user.user_id === own)?.access_string ?? "";
      expect(access).toBe(`on ~${tenant}:* &${tenant}:* +@all -@dangerous -scan -randomkey -pubsub`);
      const keyPatterns = access.split(" ").filter((part) => part.startsWith("~")).map((part) => part.slice(1));
      expect(keyPatterns.some((pattern) => globCovers(pattern, `${tenant}:session:1`))).toBe(true);
      expect(keyPatterns.some((pattern) => globCovers(pattern, `${other(tenant)}:session:1`))).toBe(false);
      expect(keyPatterns.some((pattern) => globCovers(pattern, "session:1"))).toBe(false);
    }
  });

  it("Redis password mode: each tenant's rotation function sets its own user's password and reads its own secret only", async () => {
    const userArn = (id: string) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:user:${id}`;
    const secretOf = (tenant: Tenant) => world.secrets().find((secret) => secret.name === cachePasswordSecretName(env.forTenant(tenant), `${tenant}-noor`, "sessions"));
    const password = { context: { "elasticache:UserAuthenticationMode": "password" } };
    for (const tenant of TENANTS) {
      const rotation = world.role(`arn:aws:iam::${ACCOUNT}:role/acme-prod-${tenant}-cache-password-rotation`);
      expect(rotation.stack).toBe(stackOf(tenant));
      const own = redisUserId(env.forTenant(tenant), "murima-cache", "noor");
      const theirs = redisUserId(env.forTenant(other(tenant)), "murima-cache", "noor");
      expect(await world.decide(rotation.arn, "elasticache:ModifyUser", userArn(own), password)).toBe("Allowed");
      expect(await world.decide(rotation.arn, "elasticache:DescribeUsers", userArn(own))).toBe("Allowed");
      // Never back to IAM or no password, never another tenant's, the environment's or the default user.
      for (const mode of ["iam", "no-password-required"]) {
        expect(await world.decide(rotation.arn, "elasticache:ModifyUser", userArn(own), { context: { "elasticache:UserAuthenticationMode": mode } }), mode).not.toBe("Allowed");
      }
      for (const user of [theirs, redisUserId(env, "murima-cache", "murima"), redisUserId(env.forTenant(tenant), "noor-cache", "noor"), "acme-prod-redis-murima-cache-default"]) {
        expect(await world.decide(rotation.arn, "elasticache:ModifyUser", userArn(user), password), user).not.toBe("Allowed");
      }
      const mine = secretOf(tenant);
      const foreign = secretOf(other(tenant));
      expect(mine && foreign).toBeTruthy();
      for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]) {
        expect(await world.decide(rotation.arn, action, mine!.arn), action).toBe("Allowed");
        expect(await world.decide(rotation.arn, action, foreign!.arn), action).not.toBe("Allowed");
      }
      const via = (secret: { arn: string }) => ({ context: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret.arn } });
      expect(await world.decide(rotation.arn, "kms:Decrypt", mine!.keyArn, via(mine!))).toBe("Allowed");
      expect(await world.decide(rotation.arn, "kms:Decrypt", foreign!.keyArn, via(foreign!))).not.toBe("Allowed");
      // Its own namespace's store reads it; the workload itself holds no elasticache:Connect for the password user.
      const store = world.role(`arn:aws:iam::${ACCOUNT}:role/acme-prod-${tenant}-eso-${tenant}-noor`);
      expect(await world.decide(store.arn, "secretsmanager:GetSecretValue", mine!.arn)).toBe("Allowed");
      expect(await world.decide(store.arn, "secretsmanager:GetSecretValue", foreign!.arn)).not.toBe("Allowed");
      expect(await world.decide(backendRole(tenant).arn, "elasticache:Connect", userArn(own))).not.toBe("Allowed");
    }
  });

  it("Redis: no user of any stack connects with every command on every key", () => {
    for (const each of models) {
      const users = Object.values(each.json.resource?.aws_elasticache_user ?? {}) as { user_name: string; access_string: string }[];
      for (const user of users) {
        const parts = user.access_string.split(" ");
        const everything = parts.includes("~*") && parts.includes("+@all") && !parts.some((part) => part.startsWith("-"));
        expect(everything, `${each.stackName} ${user.user_name}: ${user.access_string}`).toBe(false);
      }
      // Every user denies the dangerous commands; the Redis exporters' monitoring users deny every command and allow
      // exactly the exporter's (INFO among them), with no key or channel (constructs/redis-exporter).
      const exporter = (name: string) => name.endsWith("-exporter") && !name.includes("-app-");
      for (const user of users.filter((candidate) => candidate.user_name !== "default" && !exporter(candidate.user_name))) {
        expect(user.access_string.split(" "), user.user_name).toContain("-@dangerous");
      }
      for (const user of users.filter((candidate) => exporter(candidate.user_name))) expect(user.access_string, user.user_name).toBe(REDIS_EXPORTER_ACCESS_STRING);
    }
  });

  it("OpenSearch: each tenant's role covers its own index pattern only, mapped to its own roles; the domain admits only tagged roles", async () => {
    const domain = `arn:aws:es:${REGION}:${ACCOUNT}:domain/${"acme-prod-murima-search"}`;
    for (const tenant of TENANTS) {
      const jobs = Object.values(model(stackOf(tenant)).json.resource?.kubernetes_job_v1 ?? {}) as { spec: { template: { spec: { container: { env: { name: string; value: string }[] }[] } } } }[];
      const envs = jobs.map((job) => Object.fromEntries(job.spec.template.spec.container[0]!.env.map((entry) => [entry.name, entry.value]))).filter((vars) => vars.ROLE_JSON);
      expect(envs).toHaveLength(1);
      const vars = envs[0] as Record<string, string>;
      const [ROLE_NAME, ROLE_JSON, MAPPING_JSON] = [vars.ROLE_NAME, vars.ROLE_JSON ?? "{}", vars.MAPPING_JSON ?? "{}"];
      expect(ROLE_NAME).toBe(`tenant-${tenant}`);
      const definition = JSON.parse(ROLE_JSON) as { cluster_permissions: string[]; index_permissions: { index_patterns: string[] }[] };
      const patterns = definition.index_permissions.flatMap((permission) => permission.index_patterns);
      expect(patterns).toEqual([`${tenant}-*`]);
      for (const index of [`${other(tenant)}-orders`, "noor-orders", "logs-2025.01.01", ".opendistro_security", `${tenant}x-orders`]) {
        expect(patterns.some((pattern) => globCovers(pattern, index)), index).toBe(false);
      }
      expect(patterns.some((pattern) => globCovers(pattern, `${tenant}-orders`))).toBe(true);
      expect(JSON.parse(MAPPING_JSON)).toEqual({ backend_roles: [backendRole(tenant).arn] });
      expect(await world.decide(backendRole(tenant).arn, "es:ESHttpPut", `${domain}/${tenant}-orders/_doc/1`)).toBe("Allowed");
      const untagged = rolesOf(tenant).filter((role) => !Object.keys(role.tags).some((key) => key.startsWith("platform:opensearch-")));
      expect(untagged.length).toBeGreaterThan(0);
      for (const each of untagged) expect(await world.decide(each.arn, "es:ESHttpGet", `${domain}/_search`), each.name).not.toBe("Allowed");
    }
  });
});

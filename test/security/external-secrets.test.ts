/**
 * Issue 14.7: every secret any ExternalSecret refers to is readable by the identity that reads it — proven by IAM
 * simulation over the synthesized stacks, on the ARN AWS gives the secret (with its six-character suffix) and
 * with the key that encrypts it, through Secrets Manager and for that secret (encryption context).
 *
 * The reading identity is the one External Secrets uses for the ExternalSecret's store: a namespaced SecretStore's
 * own role (which the operator must be able to assume with the session tags it sets for that namespace), or for a
 * ClusterSecretStore the operator's role, if the store's conditions admit the namespace at all.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { aliasKeyArnIn, AWS_MANAGED_SECRETS_KEY_ALIAS } from "../../constructs/policy/iam/resolve";
import { ESO_NAMESPACE_TAG, ESO_STORE_KIND_TAG } from "../../constructs/namespace-secrets";
import { bundledModels, iamWorld, type IamWorld } from "../support/iam";
import { externalSecretsWorld, localChartContract, readerOf, readProblems, sessionTagContext, type ExternalSecretsWorld } from "../support/external-secrets";

describe("External Secrets can read every secret an ExternalSecret refers to (IAM simulation)", () => {
  let world: IamWorld;
  let eso: ExternalSecretsWorld;
  beforeAll(() => {
    const models = bundledModels();
    world = iamWorld(models);
    eso = externalSecretsWorld(models);
  });

  it("reads the stores and ExternalSecrets the local charts render", () => {
    expect(localChartContract()).toEqual([]);
    expect(eso.externalSecrets.length).toBeGreaterThan(20);
    // The references of issue 14.7: Murima's RabbitMQ credentials, in every environment.
    const queue = eso.externalSecrets.filter((ref) => ref.namespace === "murima" && ref.name === "service-queue");
    expect(queue.map((ref) => ref.stack).sort()).toEqual(["dev-platform", "prod-platform", "staging-platform"]);
    // Issue 17 gap 2: Murima's Redis password (its own cache user's secret) through Murima's own store in every
    // environment, and the production Redis exporters' passwords through the platform's cluster store.
    const murimaCache = eso.externalSecrets.filter((ref) => ref.namespace === "murima" && ref.name === "service-cache");
    expect(murimaCache.map((ref) => `${ref.stack}:${ref.store.kind}`).sort()).toEqual(["dev-platform:SecretStore", "prod-platform:SecretStore", "staging-platform:SecretStore"]);
    const exporters = eso.externalSecrets.filter((ref) => ref.namespace === "monitoring" && ref.name.startsWith("redis-exporter-") && ref.stack === "prod-platform");
    expect(exporters.map((ref) => `${ref.name}:${ref.store.kind}`).sort()).toEqual(
      ["murima-cache", "noor-cache", "smartedu-cache"].map((cache) => `redis-exporter-${cache}-credentials:ClusterSecretStore`),
    );
    // A shared tenant's namespace reads through its own store, the platform's receivers through the cluster store.
    expect(eso.externalSecrets.some((ref) => ref.stack === "prod-tenant-globex" && ref.store.kind === "SecretStore")).toBe(true);
    expect(eso.externalSecrets.some((ref) => ref.namespace === "monitoring" && ref.store.kind === "ClusterSecretStore")).toBe(true);
  });

  it("every remote key is readable, and decryptable with its key, by the identity reading it", async () => {
    const problems: string[] = [];
    for (const ref of eso.externalSecrets) {
      const reader = readerOf(ref, eso, world);
      if (typeof reader === "string") {
        problems.push(`${ref.stack} ${ref.namespace}/${ref.name}: ${reader}`);
        continue;
      }
      for (const key of new Set(ref.keys)) problems.push(...(await readProblems(world, ref, reader, key)));
    }
    expect(problems).toEqual([]);
  });

  it("the operator assumes a store role only for sessions of the store's own namespace, as a SecretStore", async () => {
    const store = eso.secretStores.find((candidate) => candidate.stack === "prod-platform" && candidate.namespace === "murima");
    const operator = eso.operators.get(eso.clusterOf.get("prod-platform") as string);
    expect(store && operator).toBeTruthy();
    const role = world.resolveIn("prod-platform", store!.role)!;
    const operatorArn = world.resolveIn(operator!.stack, operator!.roleArn)!;
    const assume = (tags: Record<string, string>) => world.decide(operatorArn, "sts:AssumeRole", role, { context: sessionTagContext(tags) });
    expect(await assume({ [ESO_NAMESPACE_TAG]: "murima", [ESO_STORE_KIND_TAG]: "SecretStore" })).toBe("Allowed");
    expect(await assume({ [ESO_NAMESPACE_TAG]: "noor", [ESO_STORE_KIND_TAG]: "SecretStore" })).toBe("ImplicitlyDenied");
    expect(await assume({ [ESO_NAMESPACE_TAG]: "murima", [ESO_STORE_KIND_TAG]: "ClusterSecretStore" })).toBe("ImplicitlyDenied");
    expect(await assume({})).toBe("ImplicitlyDenied");
    // Another role of the account (a workload's) cannot assume it even with the right tags.
    const other = world.rolesNamed(/^acme-prod-murima-case-service$/)[0] ?? world.rolesNamed(/^acme-prod-murima-/)[0];
    expect(await world.decide(other!.arn, "sts:AssumeRole", role, { context: sessionTagContext({ [ESO_NAMESPACE_TAG]: "murima", [ESO_STORE_KIND_TAG]: "SecretStore" }) })).not.toBe("Allowed");
  });

  it("knows the secrets RDS and DocumentDB manage and the key of each secret", () => {
    const managed = world.secrets().filter((secret) => secret.managedBy === "rds");
    expect(managed.some((secret) => /:secret:rds!cluster-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/.test(secret.arn))).toBe(true);
    // DocumentDB's managed secret uses the account's aws/secretsmanager key (the provider has no argument for it).
    const awsManaged = (arn: string) => aliasKeyArnIn({ partition: "aws", accountId: arn.split(":")[4] as string }, arn.split(":")[3] as string, AWS_MANAGED_SECRETS_KEY_ALIAS);
    expect(managed.some((secret) => secret.keyArn === awsManaged(secret.arn))).toBe(true);
    const rabbit = world.secrets().find((secret) => secret.name === "/acme/prod/services/murima-mq/credentials");
    expect(rabbit?.keyArn).toMatch(/:key\//);
  });
});

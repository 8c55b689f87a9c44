/**
 * Every workload role can do what its grants promise, and nothing next to it — proven by IAM simulation
 * (@cloud-copilot/iam-simulate: identity policies, bucket and key policies, explicit denies) over the synthesized
 * stacks (issue 14, "Offline apply-order and IAM checks" (e)).
 *
 * The consumer's need is read from what the workload itself is given, not from the policy under test: each workload
 * with an EKS Pod Identity association (its role) has the grants of its product in configuration; a bucket or queue
 * grant's physical resource is the value of the environment variable the pod receives (`grants[].env`), objects of a
 * shared tenant live under its `OBJECT_PREFIX`, and a `secretsPrefix` grant covers the declared secrets whose names
 * start with the prefix (the seeding inventory's names, constructs/secret-values/inventory.ts). For each:
 * - granted actions on the granted resource: Allowed (S3 through SSE-KMS needs the data key via S3; secrets need it
 *   via Secrets Manager);
 * - a neighbour: another bucket of the environment, another tenant's prefix, write access on a read grant, another
 *   queue, the other direction of a queue, a secret outside the prefix or of another namespace, the data key used
 *   directly (not through the service): denied.
 *
 * The bundled products grant buckets only; the configuration here adds a read-only bucket grant, a queue publisher
 * and consumer, and a secrets-prefix grant to the noor product (deployed in prod and to the shared tenant globex), so
 * every kind of grant is simulated for an environment's and a shared tenant's roles. Deliberately broken stacks (a
 * widened object resource, a dropped write action, a lost via-service condition) show the check fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type PlatformConfig } from "../../config/loader";
import type { GrantConfig, ProductConfig } from "../../config/schema/products";
import { OBJECT_PREFIX_ENV } from "../../constructs/product-workloads";
import { literal, StackModel, type SynthesizedStack } from "../../constructs/policy/model";
import { requiredSecretValues } from "../../constructs/secret-values/inventory";
import { iamWorld, type Decision, type IamWorld } from "../support/iam";
import { synthToTexts, tempConfig } from "../support/synth";

const STACKS = ["account-main", "prod-infra", "prod-platform", "prod-tenant-globex"];
const REGION = "eu-west-1";
const ACCOUNT = "111111111111";

/** noor with every kind of grant (the bundled bucket grants kept). */
const NOOR_GRANTS: Record<string, GrantConfig[]> = {
  backend: [
    { bucket: "noor-uploads", access: "read-write", env: "S3_BUCKET" },
    { queue: "noor-events", access: "publish", env: "EVENTS_QUEUE_URL" },
    { secretsPrefix: "supa" },
  ],
  migrate: [{ bucket: "noor-exports", access: "read", env: "EXPORTS_BUCKET" }],
  "db-export": [
    { bucket: "noor-exports", access: "read-write", env: "EXPORT_BUCKET" },
    { queue: "noor-events", access: "consume", env: "EVENTS_QUEUE_URL" },
  ],
};

interface Expectation {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string>;
  readonly expected: "Allowed" | "denied";
  readonly why: string;
}

interface WorkloadRole {
  readonly stack: string;
  readonly namespace: string;
  readonly workload: string;
  readonly roleArn: string;
  readonly grants: readonly GrantConfig[];
  /** Environment variables of the workload's pods (literal values). */
  readonly env: ReadonlyMap<string, string>;
}

/** Product instances by namespace: the environments' products and the tenants'. */
function productsByNamespace(config: PlatformConfig): Map<string, ProductConfig> {
  const out = new Map<string, ProductConfig>();
  for (const { config: environment } of config.environments) for (const [name, product] of Object.entries(environment.products)) out.set(`${environment.name}|${product.namespace ?? name}`, product);
  for (const tenant of config.tenants) for (const [name, product] of Object.entries(tenant.products)) out.set(`${tenant.config.environment}|${product.namespace ?? name}`, product);
  return out;
}

/** `{name, value}` pairs anywhere under a value (a pod template's env). */
function envPairs(value: unknown, out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item) => envPairs(item, out));
  else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.name === "string" && typeof record.value === "string" && Object.keys(record).length <= 3) out.set(record.name, record.value);
    Object.values(record).forEach((item) => envPairs(item, out));
  }
  return out;
}

/** Every workload role: its Pod Identity association, its grants in configuration, its pods' environment. */
function workloadRoles(config: PlatformConfig, models: readonly StackModel[], world: IamWorld): WorkloadRole[] {
  const products = productsByNamespace(config);
  const out: WorkloadRole[] = [];
  for (const model of models) {
    const environment = model.stackName.split("-")[0] as string;
    for (const association of model.resources("aws_eks_pod_identity_association")) {
      const namespace = literal(association.body.namespace) as string;
      const workload = literal(association.body.service_account) as string;
      const grants = products.get(`${environment}|${namespace}`)?.workloads[workload]?.grants ?? [];
      if (grants.length === 0) continue;
      const role = model.refsIn(association.body.role_arn).find((block) => block.type === "aws_iam_role");
      const roleArn = world.allRoles().find((candidate) => candidate.stack === model.stackName && candidate.address === role?.address)?.arn;
      if (!roleArn) throw new Error(`${association.address}: no role`);
      const pods = model.resources("kubernetes_deployment_v1", "kubernetes_job_v1", "kubernetes_cron_job_v1").filter((block) => {
        const metadata = (block.body.metadata as Record<string, unknown>[] | Record<string, unknown>) ?? {};
        const first = Array.isArray(metadata) ? metadata[0] : metadata;
        return literal(first?.namespace) === namespace && JSON.stringify(block.body).includes(`"service_account_name":"${workload}"`);
      });
      if (pods.length !== 1) throw new Error(`${namespace}/${workload}: expected one pod controller in ${model.stackName}, found ${pods.length}`);
      out.push({ stack: model.stackName, namespace, workload, roleArn, grants, env: envPairs(pods[0]?.body) });
    }
  }
  return out;
}

/** The environment's data key (alias `alias/<project>-<env>-data`), by its alias resource. */
function dataKeyArn(models: readonly StackModel[], world: IamWorld, environment: string): string {
  for (const model of models) {
    for (const alias of model.resources("aws_kms_alias")) {
      if (literal(alias.body.name) !== `alias/acme-${environment}-data`) continue;
      const key = model.refsIn(alias.body.target_key_id).find((block) => block.type === "aws_kms_key");
      const policy = world.stacks.flatMap((stack) => stack.resourcePolicies).find((candidate) => candidate.kind === "key" && candidate.address === key?.address && candidate.resourceArn.includes(`:${REGION}:`));
      if (policy) return policy.resourceArn;
    }
  }
  throw new Error(`no data key of ${environment}`);
}

function bucketsOf(models: readonly StackModel[]): string[] {
  return models.flatMap((model) => model.resources("aws_s3_bucket").flatMap((block) => (literal(block.body.bucket) ? [literal(block.body.bucket) as string] : [])));
}

const S3_READ = ["s3:GetObject"];
const S3_WRITE = ["s3:PutObject", "s3:DeleteObject"];

/** What each workload role must and must not be able to do. */
function expectations(config: PlatformConfig, models: readonly StackModel[], world: IamWorld): Expectation[] {
  const out: Expectation[] = [];
  const buckets = bucketsOf(models);
  const secrets = requiredSecretValues(config);
  for (const role of workloadRoles(config, models, world)) {
    const environment = role.stack.split("-")[0] as string;
    const key = dataKeyArn(models, world, environment);
    const otherKeys = world.stacks.flatMap((stack) => stack.resourcePolicies).filter((policy) => policy.kind === "key" && policy.resourceArn !== key).map((policy) => policy.resourceArn);
    const add = (action: string, resource: string, expected: Expectation["expected"], why: string, context?: Record<string, string>) =>
      out.push({ role: role.roleArn, action, resource, expected, why: `${role.namespace}/${role.workload}: ${why}`, ...(context ? { context } : {}) });
    const prefix = role.env.get(OBJECT_PREFIX_ENV) ?? "";
    for (const grant of role.grants) {
      if (grant.bucket !== undefined) {
        const bucket = role.env.get(grant.env ?? "");
        if (bucket === undefined) throw new Error(`${role.namespace}/${role.workload} does not receive the bucket of ${grant.bucket} in ${grant.env}`);
        if (!buckets.includes(bucket)) throw new Error(`${role.namespace}/${role.workload} is given the bucket ${bucket}, which no stack creates`);
        const object = `arn:aws:s3:::${bucket}/${prefix}reports/2026/11/export.json`;
        for (const action of S3_READ) add(action, object, "Allowed", `${grant.access} ${grant.bucket}`);
        for (const action of S3_WRITE) add(action, object, grant.access === "read-write" ? "Allowed" : "denied", `${grant.access} ${grant.bucket}`);
        add("s3:ListBucket", `arn:aws:s3:::${bucket}`, "Allowed", `list ${grant.bucket}${prefix ? ` under ${prefix}` : ""}`, prefix ? { "s3:prefix": `${prefix}reports/` } : undefined);
        add("kms:Decrypt", key, "Allowed", "decrypt objects through S3", { "kms:ViaService": `s3.${REGION}.amazonaws.com` });
        if (grant.access === "read-write") add("kms:GenerateDataKey", key, "Allowed", "encrypt new objects through S3", { "kms:ViaService": `s3.${REGION}.amazonaws.com` });
        add("kms:Decrypt", key, "denied", "use the data key directly, not through a service");
        for (const other of otherKeys.slice(0, 2)) add("kms:Decrypt", other, "denied", "another key", { "kms:ViaService": `s3.${REGION}.amazonaws.com` });
        const neighbour = buckets.find((candidate) => candidate !== bucket && !role.grants.some((other) => other.env !== undefined && role.env.get(other.env) === candidate));
        add("s3:GetObject", `arn:aws:s3:::${neighbour}/${prefix}reports/2026/11/export.json`, "denied", `a bucket it was not granted (${neighbour})`);
        if (prefix) {
          add("s3:GetObject", `arn:aws:s3:::${bucket}/tenants/another-tenant/reports/export.json`, "denied", "another tenant's objects");
          add("s3:ListBucket", `arn:aws:s3:::${bucket}`, "denied", "list another tenant's prefix", { "s3:prefix": "tenants/another-tenant/" });
        }
      } else if (grant.queue !== undefined) {
        const url = role.env.get(grant.env ?? "") ?? "";
        const match = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/([\w-]+)$/.exec(url);
        if (!match) throw new Error(`${role.namespace}/${role.workload} does not receive the queue URL of ${grant.queue} in ${grant.env} (got "${url}")`);
        const queue = `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`;
        const send = grant.access === "publish" ? "Allowed" : "denied";
        const receive = grant.access === "consume" ? "Allowed" : "denied";
        add("sqs:SendMessage", queue, send, `${grant.access} ${grant.queue}`);
        add("sqs:ReceiveMessage", queue, receive, `${grant.access} ${grant.queue}`);
        add("sqs:DeleteMessage", queue, receive, `${grant.access} ${grant.queue}`);
        add("sqs:GetQueueAttributes", queue, "Allowed", `${grant.access} ${grant.queue}`);
        add(grant.access === "publish" ? "sqs:SendMessage" : "sqs:ReceiveMessage", `${queue}-neighbour`, "denied", "another queue");
        add("sqs:PurgeQueue", queue, "denied", "purge the queue");
      } else if (grant.secretsPrefix !== undefined) {
        const covered = secrets.filter((secret) => secret.stack === role.stack && secret.secretName.startsWith(`${secret.secretName.split("/")[0]}/${role.namespace}/${grant.secretsPrefix}`));
        if (covered.length === 0) throw new Error(`${role.namespace}/${role.workload}: no declared secret under the prefix ${grant.secretsPrefix}`);
        for (const secret of covered) {
          const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secret.secretName}-Ab12Cd`;
          add("secretsmanager:GetSecretValue", arn, "Allowed", `read ${secret.secretName}`);
          add("secretsmanager:PutSecretValue", arn, "denied", `write ${secret.secretName}`);
          add("kms:Decrypt", key, "Allowed", "decrypt secrets through Secrets Manager", { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` });
        }
        const root = covered[0]?.secretName.split("/")[0];
        add("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${root}/${role.namespace}/zz-not-granted-Ab12Cd`, "denied", "a secret outside the prefix");
        add("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${root}/another-namespace/${grant.secretsPrefix}-Ab12Cd`, "denied", "another namespace's secret");
      }
    }
  }
  return out;
}

/** The expectations AWS would decide otherwise, one line each. */
async function violations(world: IamWorld, cases: readonly Expectation[]): Promise<string[]> {
  const out: string[] = [];
  for (const item of cases) {
    const decision: Decision = await world.decide(item.role, item.action, item.resource, item.context ? { context: item.context } : {});
    const ok = item.expected === "Allowed" ? decision === "Allowed" : decision !== "Allowed";
    if (!ok) out.push(`${item.why}: ${item.action} on ${item.resource} is ${decision}, expected ${item.expected}`);
  }
  return out;
}

let config: PlatformConfig;
let texts: Map<string, string>;

function worldOf(edit: (stack: string, text: string) => string = (_stack, text) => text): { models: StackModel[]; world: IamWorld } {
  const models = STACKS.map((name) => new StackModel(JSON.parse(edit(name, texts.get(name) as string)) as SynthesizedStack, name));
  return { models, world: iamWorld(models) };
}

beforeAll(async () => {
  const dir = tempConfig({ set: { "products/noor.yaml": { workloads: Object.fromEntries(Object.entries(NOOR_GRANTS).map(([name, grants]) => [name, { grants }])) } } });
  config = loadConfig(dir);
  texts = await synthToTexts(config, { stackPatterns: STACKS });
}, 180_000);

describe("workload roles can do what their grants promise, and nothing next to it (IAM simulation)", () => {
  it("finds every workload role with grants: the environment's and the shared tenant's", () => {
    const { models, world } = worldOf();
    const roles = workloadRoles(config, models, world).map((role) => `${role.stack} ${role.namespace}/${role.workload}`);
    expect(roles.sort()).toEqual([
      "prod-platform noor/backend",
      "prod-platform noor/db-export",
      "prod-platform noor/migrate",
      "prod-tenant-globex globex-noor/backend",
      "prod-tenant-globex globex-noor/db-export",
      "prod-tenant-globex globex-noor/migrate",
    ]);
  });

  it("every granted action on its resource is allowed; every neighbour is denied", async () => {
    const { models, world } = worldOf();
    const cases = expectations(config, models, world);
    expect(cases.filter((item) => item.expected === "Allowed").length).toBeGreaterThan(40);
    expect(cases.filter((item) => item.expected === "denied").length).toBeGreaterThan(40);
    expect(await violations(world, cases)).toEqual([]);
  });

  describe("fails on deliberately broken stacks", () => {
    it("a tenant role widened to the whole bucket reads another tenant's objects", async () => {
      const { models, world } = worldOf((stack, text) => (stack === "prod-tenant-globex" ? text.replaceAll("acme-prod-noor-uploads/tenants/globex/*", "acme-prod-noor-uploads/*") : text));
      const found = await violations(world, expectations(config, models, world));
      expect(found).toContainEqual(expect.stringMatching(/^globex-noor\/backend: another tenant's objects: s3:GetObject on arn:aws:s3:::acme-prod-noor-uploads\/tenants\/another-tenant\/.* is Allowed, expected denied$/));
    });

    it("a read-write grant that lost s3:PutObject cannot write what it must", async () => {
      const { models, world } = worldOf((stack, text) => (stack === "prod-platform" ? text.replaceAll('"s3:PutObject",', "") : text));
      const found = await violations(world, expectations(config, models, world));
      expect(found).toContainEqual("noor/backend: read-write noor-uploads: s3:PutObject on arn:aws:s3:::acme-prod-noor-uploads/reports/2026/11/export.json is ImplicitlyDenied, expected Allowed");
    });

    it("a data-key statement that lost its via-service condition lets the role use the key directly", async () => {
      const { models, world } = worldOf((stack, text) => (stack === "prod-platform" ? text.replaceAll('"variable": "kms:ViaService"', '"variable": "aws:SecureTransport"').replaceAll('"s3.eu-west-1.amazonaws.com"', '"true"') : text));
      const found = await violations(world, expectations(config, models, world));
      expect(found).toContainEqual(expect.stringMatching(/^noor\/backend: use the data key directly, not through a service: kms:Decrypt on arn:aws:kms:.* is Allowed, expected denied$/));
    });
  });
});

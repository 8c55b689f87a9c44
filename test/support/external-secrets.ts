/**
 * The External Secrets objects of synthesized stacks, as the cluster will hold them: every ExternalSecret (its
 * namespace, the store it reads through and each remote key), every namespaced SecretStore (the role it assumes)
 * and the platform's ClusterSecretStores (the namespaces their conditions admit), read from the Helm releases'
 * values:
 * - the platform's local charts (charts/local/workload-secrets, charts/local/cluster-secret-stores), whose
 *   templates render their values one to one (checked by `localChartContract` below);
 * - any manifest of kind ExternalSecret in any release's values (e.g. kube-prometheus-stack `extraManifests`).
 * Plus, per cluster, the External Secrets operator's IAM role (its Pod Identity association).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { LOCAL_CHART_ASSET_PREFIX, LOCAL_CHARTS_DIR } from "../../charts/values-check";
import { EXTERNAL_SECRETS_NAMESPACE, EXTERNAL_SECRETS_SERVICE_ACCOUNT } from "../../constructs/addons/external-secrets";
import { ESO_NAMESPACE_TAG, ESO_STORE_KIND_TAG } from "../../constructs/namespace-secrets";
import { secretArnSuffix } from "../../constructs/policy/iam/resolve";
import { literal, type StackModel } from "../../constructs/policy/model";
import type { IamWorld } from "./iam";

export type StoreRef = { readonly kind: "SecretStore"; readonly name: string } | { readonly kind: "ClusterSecretStore"; readonly name: string };

export interface ExternalSecretRef {
  readonly stack: string;
  /** Address of the Helm release rendering it. */
  readonly release: string;
  readonly namespace: string;
  readonly name: string;
  readonly store: StoreRef;
  /** Remote keys as written (names or ARNs; may hold Terraform references). */
  readonly keys: readonly string[];
}

export interface SecretStoreRef {
  readonly stack: string;
  readonly release: string;
  readonly namespace: string;
  readonly name: string;
  /** ARN of the role the store assumes, as written (a reference). */
  readonly role: string;
  readonly sessionTagsPolicy?: string;
}

export interface ClusterStoreRef {
  readonly stack: string;
  readonly name: string;
  /** Namespaces its conditions admit; undefined: no conditions, every namespace. */
  readonly namespaces?: readonly string[];
}

export interface ExternalSecretsWorld {
  readonly externalSecrets: ExternalSecretRef[];
  readonly secretStores: SecretStoreRef[];
  readonly clusterStores: ClusterStoreRef[];
  /** Cluster name -> { stack, role ARN as written } of the operator's Pod Identity association. */
  readonly operators: Map<string, { readonly stack: string; readonly roleArn: string }>;
  /** Stack -> name of the cluster its Kubernetes objects go to. */
  readonly clusterOf: Map<string, string>;
}

type Manifest = { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: Record<string, unknown> };

function valuesOf(body: Record<string, unknown>): unknown[] {
  const values = Array.isArray(body.values) ? body.values : [];
  return values.flatMap((text) => (typeof text === "string" ? parseAllDocuments(text).map((document) => document.toJS() as unknown) : []));
}

/** Every object with `kind: ExternalSecret` anywhere inside `value`. */
function externalSecretManifests(value: unknown): Manifest[] {
  const out: Manifest[] = [];
  const visit = (item: unknown) => {
    if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === "object") {
      if ((item as Manifest).kind === "ExternalSecret") out.push(item as Manifest);
      else Object.values(item).forEach(visit);
    }
  };
  visit(value);
  return out;
}

function localChartOf(chart: unknown): string | undefined {
  if (typeof chart !== "string") return undefined;
  const match = new RegExp(`(?:^|/)${LOCAL_CHART_ASSET_PREFIX}([a-z0-9-]+)/`).exec(chart);
  return match?.[1];
}

function remoteKeys(data: unknown): string[] {
  return (Array.isArray(data) ? data : []).flatMap((entry) => {
    const key = (entry as { remoteRef?: { key?: unknown } }).remoteRef?.key;
    return typeof key === "string" ? [key] : [];
  });
}

/** Reads the External Secrets objects of every stack. */
export function externalSecretsWorld(models: readonly StackModel[]): ExternalSecretsWorld {
  const world: ExternalSecretsWorld = { externalSecrets: [], secretStores: [], clusterStores: [], operators: new Map(), clusterOf: new Map() };
  for (const model of models) {
    const cluster = model.dataSources("aws_eks_cluster").map((block) => literal(block.body.name)).find((name) => name !== undefined);
    if (cluster) world.clusterOf.set(model.stackName, cluster);
    for (const association of model.resources("aws_eks_pod_identity_association")) {
      const { namespace, service_account: serviceAccount, cluster_name: clusterName, role_arn: roleArn } = association.body;
      if (namespace === EXTERNAL_SECRETS_NAMESPACE && serviceAccount === EXTERNAL_SECRETS_SERVICE_ACCOUNT && typeof clusterName === "string" && typeof roleArn === "string") {
        world.operators.set(clusterName, { stack: model.stackName, roleArn });
      }
    }
    for (const release of model.resources("helm_release")) {
      const namespace = literal(release.body.namespace) ?? "default";
      const chart = localChartOf(release.body.chart);
      for (const values of valuesOf(release.body)) {
        if (values === null || typeof values !== "object") continue;
        if (chart === "workload-secrets") {
          const { secretStore, externalSecrets } = values as { secretStore?: { name: string; role: string }; externalSecrets?: { name: string; data: unknown; store?: string }[] };
          if (secretStore) {
            world.secretStores.push({ stack: model.stackName, release: release.address, namespace, name: secretStore.name, role: secretStore.role, sessionTagsPolicy: "Simple" });
          }
          for (const item of externalSecrets ?? []) {
            world.externalSecrets.push({
              stack: model.stackName,
              release: release.address,
              namespace,
              name: item.name,
              // Earlier versions of the chart pointed each item at a ClusterSecretStore (`store`).
              store: item.store ? { kind: "ClusterSecretStore", name: item.store } : { kind: "SecretStore", name: secretStore?.name ?? "(none)" },
              keys: remoteKeys(item.data),
            });
          }
          continue;
        }
        if (chart === "cluster-secret-stores") {
          const stores = values as { secretsManager: { name: string }; parameterStore: { name: string }; namespaces?: string[] };
          for (const store of [stores.secretsManager, stores.parameterStore]) {
            world.clusterStores.push({ stack: model.stackName, name: store.name, ...(stores.namespaces ? { namespaces: stores.namespaces } : {}) });
          }
          continue;
        }
        for (const manifest of externalSecretManifests(values)) {
          const ref = manifest.spec?.secretStoreRef as { kind?: string; name?: string } | undefined;
          const data = manifest.spec?.data;
          if (!ref?.name || remoteKeys(data).length === 0) continue; // generators (dataFrom) read no store
          world.externalSecrets.push({
            stack: model.stackName,
            release: release.address,
            namespace: typeof manifest.metadata?.namespace === "string" ? manifest.metadata.namespace : namespace,
            name: String(manifest.metadata?.name),
            store: { kind: ref.kind === "SecretStore" ? "SecretStore" : "ClusterSecretStore", name: ref.name },
            keys: remoteKeys(data),
          });
        }
      }
    }
  }
  return world;
}

/**
 * The parts of the local charts' templates this reader relies on: workload-secrets renders one SecretStore from
 * `secretStore` (role, sessionTagsPolicy Simple) and points every ExternalSecret at it; cluster-secret-stores puts
 * `namespaces` into both stores' conditions. Returns what is missing (empty when the templates match).
 */
export function localChartContract(): string[] {
  const template = (chart: string, file: string) => readFileSync(join(LOCAL_CHARTS_DIR, chart, "templates", file), "utf8");
  const problems: string[] = [];
  const workload = template("workload-secrets", "external-secrets.yaml");
  for (const needle of ["kind: SecretStore", "role: {{ .Values.secretStore.role | quote }}", "sessionTagsPolicy: Simple", "kind: SecretStore\n    name: {{ $.Values.secretStore.name }}"]) {
    if (!workload.includes(needle)) problems.push(`workload-secrets template lacks ${JSON.stringify(needle)}`);
  }
  const stores = template("cluster-secret-stores", "cluster-secret-stores.yaml");
  if ((stores.match(/include "cluster-secret-stores.conditions"/g) ?? []).length !== 2) problems.push("cluster-secret-stores: both stores must carry the conditions");
  if (!stores.includes("- namespaces:\n      {{- toYaml .Values.namespaces")) problems.push("cluster-secret-stores: conditions must list .Values.namespaces");
  return problems;
}

export interface Reader {
  readonly roleArn: string;
  /** The operator's role and the session tags it assumes `roleArn` with (namespaced stores). */
  readonly assumedBy?: { readonly operatorArn: string; readonly tags: Readonly<Record<string, string>> };
}

/** The identity External Secrets reads `ref` with; a string when it cannot be determined (a problem). */
export function readerOf(ref: ExternalSecretRef, eso: ExternalSecretsWorld, world: IamWorld): Reader | string {
  const cluster = eso.clusterOf.get(ref.stack);
  const operator = cluster ? eso.operators.get(cluster) : undefined;
  if (!operator) return `${ref.stack}: no External Secrets operator for cluster ${cluster ?? "(none)"}`;
  const operatorArn = world.resolveIn(operator.stack, operator.roleArn);
  if (!operatorArn) return `${operator.stack}: operator role ${operator.roleArn} does not resolve`;
  if (ref.store.kind === "SecretStore") {
    const store = eso.secretStores.find((candidate) => candidate.stack === ref.stack && candidate.namespace === ref.namespace && candidate.name === ref.store.name);
    if (!store) return `no SecretStore ${ref.store.name} in namespace ${ref.namespace}`;
    const roleArn = world.resolveIn(store.stack, store.role);
    if (!roleArn) return `SecretStore ${ref.namespace}/${store.name}: role ${store.role} does not resolve`;
    return { roleArn, assumedBy: { operatorArn, tags: { [ESO_NAMESPACE_TAG]: ref.namespace, [ESO_STORE_KIND_TAG]: "SecretStore", esoStoreName: store.name } } };
  }
  const store = eso.clusterStores.find((candidate) => candidate.stack === operator.stack && candidate.name === ref.store.name);
  if (!store) return `no ClusterSecretStore ${ref.store.name} in ${operator.stack}`;
  if (store.namespaces && !store.namespaces.includes(ref.namespace)) {
    return `ClusterSecretStore ${store.name} does not admit namespace ${ref.namespace} (conditions admit: ${store.namespaces.join(", ") || "none"})`;
  }
  return { roleArn: operatorArn };
}

/** Session tags as STS sees them in the trust policy (request tags and the tag keys). */
export function sessionTagContext(tags: Readonly<Record<string, string>>): Record<string, string | string[]> {
  return { ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])), "aws:TagKeys": Object.keys(tags) };
}

/** The secret a remote key names: one a stack creates (or RDS manages), else the ARN AWS would give that name. */
export function secretFor(world: IamWorld, stack: string, rawKey: string): { arn: string; keyArn?: string; created: boolean } | string {
  const key = world.resolveIn(stack, rawKey);
  if (key === undefined) return `remote key ${rawKey} does not resolve`;
  const scope = world.stacks.find((candidate) => candidate.stack === stack)?.scope;
  if (!scope) return `no AWS scope for ${stack}`;
  const secrets = world.secrets().filter((secret) => secret.arn.split(":")[4] === scope.accountId && secret.arn.split(":")[3] === scope.region);
  const found = key.startsWith("arn:") ? secrets.find((secret) => secret.arn === key) : secrets.find((secret) => secret.name === key);
  if (found) return { arn: found.arn, keyArn: found.keyArn, created: true };
  if (key.startsWith("arn:")) return `remote key ${key} is the ARN of no secret any stack creates`;
  return { arn: `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.accountId}:secret:${key}-${secretArnSuffix(key)}`, created: false };
}

/** What keeps `reader` from reading the secret `rawKey` names (empty when it can). */
export async function readProblems(world: IamWorld, ref: ExternalSecretRef, reader: Reader, rawKey: string): Promise<string[]> {
  const where = `${ref.stack} ${ref.namespace}/${ref.name} (${rawKey})`;
  const problems: string[] = [];
  if (reader.assumedBy) {
    const context = sessionTagContext(reader.assumedBy.tags);
    for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
      const decision = await world.decide(reader.assumedBy.operatorArn, action, reader.roleArn, { context });
      if (decision !== "Allowed") problems.push(`${where}: operator ${action} on ${reader.roleArn}: ${decision}`);
    }
  }
  const secret = secretFor(world, ref.stack, rawKey);
  if (typeof secret === "string") return [...problems, `${where}: ${secret}`];
  const read = await world.decide(reader.roleArn, "secretsmanager:GetSecretValue", secret.arn);
  if (read !== "Allowed") problems.push(`${where}: ${reader.roleArn} GetSecretValue on ${secret.arn}: ${read}`);
  if (secret.keyArn) {
    const region = secret.arn.split(":")[3];
    const decrypt = await world.decide(reader.roleArn, "kms:Decrypt", secret.keyArn, {
      context: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret.arn },
    });
    if (decrypt !== "Allowed") problems.push(`${where}: ${reader.roleArn} kms:Decrypt with ${secret.keyArn} for ${secret.arn}: ${decrypt}`);
  }
  return problems;
}

/**
 * One product instance in one namespace: everything its configuration (config/schema/products.ts `ProductConfig`)
 * declares, from a typed product spec, a namespace and a naming scope — never from the raw environment, so a
 * tenant can run its own instance of a product in its own namespace with its own overrides.
 *
 * - the namespace (constructs/app-namespace): Pod Security `restricted`, ResourceQuota sized from the workloads at
 *   full scale (HPA maximum plus rollout surge) plus the environment's headroom, LimitRange, default-deny policies;
 * - config maps, with a checksum annotation on the pods that load them so a change rolls them;
 * - secrets: one Secrets Manager secret per declared secret, created empty and encrypted with the data key
 *   (`<prefix>/<namespace>/<secret>`, constructs/core/secrets.ts; values are set out of band, never in configuration
 *   or Terraform), and the ExternalSecrets that sync them and the password-authenticated data services' credentials
 *   into Kubernetes Secrets, through the namespace's own SecretStore (constructs/namespace-secrets): its role reads
 *   this namespace's secrets and those exact credentials, nothing else. The apply waits for a workload's rollout only
 *   once the secret values its pods read are seeded (constructs/secret-values), so a first apply never times out on
 *   pods that cannot start yet;
 * - data-service connections looked up by name at plan time (see connections.ts);
 * - PostgreSQL: the instance's own IAM-authenticated user on each service (constructs/database-user), never the
 *   master user; its workloads may `rds-db:connect` as that user on that service's resource id only;
 * - caches: the instance's own IAM-authenticated ElastiCache user on each (constructs/cache-user); its workloads may
 *   `elasticache:Connect` as that user only. With `services.<name>.authentication: password` the user authenticates
 *   with a password instead, generated and rotated by the stack's rotation function (constructs/cache-password-rotation)
 *   in a secret of the namespace, synced by the namespace's own SecretStore; the workloads get no `elasticache:Connect`;
 * - search services: the instance's own role in the domain's security plugin, limited to its index pattern and
 *   mapped to its workloads' roles (constructs/search-role); those roles carry the domain's access tag;
 * - the workloads (constructs/workload). Pre-rollout jobs run first: every Deployment and CronJob of the product
 *   depends on them, so an apply with a new migration image migrates before anything rolls out, and stops if the
 *   migration fails.
 *
 * Why a Helm release for the ExternalSecrets: ExternalSecret is a CRD installed by the External Secrets chart. A
 * `kubernetes_manifest` needs the CRD's schema at plan time and fails `terraform plan` on a new cluster; a
 * `helm_release` of the small local chart charts/local/workload-secrets renders at apply time, after the operator.
 */
import { createHash } from "node:crypto";
import { DataAwsAcmCertificate } from "@cdktf/provider-aws/lib/data-aws-acm-certificate";
import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { Release } from "@cdktf/provider-helm/lib/release";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { localChartRelease } from "../../charts/release";
import {
  checkProducts,
  DEPLOYMENT_KINDS,
  INJECTED_ENV,
  ProductSchema,
  qualifyHost,
  replicaBounds,
  type ProductConfig,
  type WorkloadConfig,
  type WorkloadPolicy,
} from "../../config/schema/products";
import { externalSecretsRoleArn } from "../addons/external-secrets";
import { AppNamespace, type NamespaceQuota } from "../app-namespace";
import { NamespaceSecrets } from "../namespace-secrets";
import { databaseUserName, LOG_INDEX_PREFIX, productIndexPrefix, redisAccessString, tenantIndexPrefix, tenantKeyPrefix } from "../core/data-users";
import { searchAccessTag } from "../opensearch";
import { SearchRole, searchRoleDefinition, searchRoleName } from "../search-role";
import { CacheUser } from "../cache-user";
import { CachePasswordRotation } from "../cache-password-rotation";
import { redisUserId } from "../redis";
import { DatabaseUser } from "../database-user";
import { partitionOf, type AccountScope } from "../core/aws";
import type { WorkloadPolicyStatement } from "../workload-identity";
import { validateName, type Naming } from "../core/naming";
import { secretName as namedSecret, secretNamePrefix } from "../core/secrets";
import { LOG_LABELS, RDS_CA_CONFIG_MAP, RDS_CA_FILE, RDS_CA_MOUNT, RDS_CA_VOLUME } from "../core/platform-contracts";
import { rdsCaBundle } from "../core/rds-ca";
import { awaitsReadiness, SecretValueGate } from "../secret-values";
import { secretsReadBy } from "../secret-values/inventory";
import { appSecretName, grantEnv, grantStatements, serviceStatements, Workload, workloadRoleName, type EnvVar, type IngressGroupSettings } from "../workload";
import { serviceNeedsAws } from "../workload/grants";
import { PART_OF_LABEL, selectorLabels } from "../workload/labels";
import { formatCpu, formatMemory, parseCpu, parseMemory } from "../workload/quantity";
import { ServiceConnectionRef, type ExternalSecretValues } from "./connections";
import { effectiveThresholds } from "../alert-rules";
import type { ProductAlertThresholds } from "../../config/schema/observability";
import type { RolloutSettings, RolloutValues } from "../workload";

export { PASSWORD_KINDS, ServiceConnectionRef } from "./connections";

/** Local chart that renders the namespace's Argo Rollouts objects (charts/local/workload-rollouts). */
export const WORKLOAD_ROLLOUTS_CHART = "workload-rollouts";
/** Local chart that renders the namespace's ExternalSecrets (charts/local/workload-secrets). */
export const WORKLOAD_SECRETS_CHART = "workload-secrets";
/** Environment variable every workload of a product with a domain gets (use $(APP_DOMAIN) in other values). */
export const APP_DOMAIN_ENV = INJECTED_ENV.appDomain;
/** Region for AWS SDKs of workloads with AWS access. */
export const AWS_REGION_ENV = INJECTED_ENV.awsRegion;
/** Key prefix the workload's bucket grants are limited to (set with ProductWorkloadsProps.objectPrefix). */
export const OBJECT_PREFIX_ENV = INJECTED_ENV.objectPrefix;
/** The shared tenant an instance serves (set with ProductWorkloadsProps.sharedTenant). */
export const TENANT_ID_ENV = INJECTED_ENV.tenantId;
/** Pod annotation carrying a hash of the configuration maps a workload loads. */
export const CONFIG_CHECKSUM_ANNOTATION = "platform.example.com/config-checksum";
const CHECKSUM_LENGTH = 16;

export interface WorkloadNetworkLayout {
  /** Subnets the load balancer sends from (the public tier for an internet-facing ALB). */
  readonly loadBalancerCidrs: readonly string[];
  /** Subnets of the data services. */
  readonly dataTierCidrs: readonly string[];
}

export interface ProductWorkloadsProps {
  /** Product name (its key in configuration). */
  readonly name: string;
  readonly product: ProductConfig;
  readonly policy: WorkloadPolicy;
  /** Naming scope of the instance's IAM roles and secrets (the environment's, or a tenant's). */
  readonly naming: Naming;
  readonly account: AccountScope;
  /** Cluster the workloads run in. */
  readonly clusterName: string;
  readonly network: WorkloadNetworkLayout;
  /** The environment's ALB group; required when a workload has an ingress. @default none */
  readonly ingressGroup?: IngressGroupSettings;
  /** Alias of the data key that encrypts buckets and secrets, e.g. alias/acme-prod-data. */
  readonly dataKeyAlias: string;
  /** Keep Secrets Manager secrets and persistent volume claims from being destroyed (`prevent_destroy`), as for other stateful resources. */
  readonly protectSecrets: boolean;
  /**
   * Naming scope of the data services, buckets and queues the product uses.
   * @default `naming`
   */
  readonly resourcesNaming?: Naming;
  /**
   * Namespace quota.
   * @default computed: every workload at its maximum scale plus rollout surge, plus `policy.namespace.quotaHeadroomPercent`
   */
  readonly quota?: NamespaceQuota;
  /** Extra namespace labels (e.g. the tenant). @default none */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Platform resources the product needs first (the External Secrets stores, the load balancer controller). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * ARN of the certificate the ingresses present (e.g. one a tenant stack issues for its own subdomain).
   * @default the issued ACM certificate for `certificateDomain` (`*.<domain>`), looked up by name
   */
  readonly certificateArn?: string;
  /**
   * Object key prefix (e.g. `tenants/<id>/`) that bucket grants are limited to: object actions only under it and
   * listing only with it as `s3:prefix`.
   * @default whole buckets
   */
  readonly objectPrefix?: string;
  /**
   * What the database users' bootstrap Jobs wait for (the database-bootstrap namespace and its master credentials,
   * when they are created in the same stack; see constructs/database-bootstrap).
   * @default none (the namespace exists: the platform stack is applied before tenants)
   */
  readonly databaseBootstrap?: readonly ITerraformDependable[];
  /**
   * What the search roles' Jobs wait for (constructs/search-security `ready`, when created in the same stack).
   * @default none (the platform stack is applied before tenants)
   */
  readonly searchSecurity?: readonly ITerraformDependable[];
  /**
   * Id of the shared tenant this instance serves: every workload gets TENANT_ID, and its Redis and OpenSearch bindings
   * the key and index prefix it must keep to on the environment's shared services (see connections.ts).
   * @default none (the environment's own instance, or a dedicated tenant's in its own cluster)
   */
  readonly sharedTenant?: string;
  /**
   * The log group of the stack's cache password rotation function (constructs/cache-password-rotation); required when
   * a cache binding has `authentication: password`.
   * @default none (a password cache binding is then rejected)
   */
  readonly passwordRotation?: PasswordRotationLogging;
  /**
   * How workloads roll out beyond the Deployment's own rolling update (see DeliveryProps).
   * @default no secret-change restarts; progressive delivery rejected
   */
  readonly delivery?: DeliveryProps;
}

/** Where the stack's cache password rotation function logs (the audit retention class, the logs key). */
export interface PasswordRotationLogging {
  /** CloudWatch Logs retention of the function's log group. */
  readonly retentionDays: number;
  /** Alias of the logs key, e.g. alias/acme-prod-logs. */
  readonly logsKeyAlias: string;
  /**
   * The alerts topic an alarm on the function's errors publishes to (the cluster owner's, constructs/alerts-topic).
   * @default no alarm
   */
  readonly alarmTopicArn?: string;
}

/** Secrets Manager name of a cache password user's credentials: a secret of the instance's namespace. */
export function cachePasswordSecretName(naming: Naming, namespace: string, logicalService: string): string {
  return namedSecret(naming, { kind: "namespace", namespace }, "services", logicalService, "credentials");
}

/** The environment's delivery add-ons as the product's workloads use them. */
export interface DeliveryProps {
  /** Reloader runs in the cluster: Deployments name the Secrets they read, so a changed value rolls them. */
  readonly reloader: boolean;
  /**
   * Argo Rollouts runs in the cluster: workloads with `progressiveDelivery` get a Rollout, judged by default against
   * these thresholds (with the product's own `alerts` overrides applied).
   */
  readonly rollouts?: { readonly alertThresholds: ProductAlertThresholds };
}

export class ProductWorkloads extends Construct {
  readonly namespaceName: string;
  readonly namespace: AppNamespace;
  readonly configMaps: ReadonlyMap<string, ConfigMapV1>;
  /** The RDS certificate authorities (RDS_CA_CONFIG_MAP), when a workload uses PostgreSQL or DocumentDB. */
  readonly rdsCa?: ConfigMapV1;
  readonly secrets: ReadonlyMap<string, SecretsmanagerSecret>;
  /** Whether each declared secret has a value yet, by secret name (see constructs/secret-values). */
  readonly secretGates: ReadonlyMap<string, SecretValueGate>;
  readonly connections: ReadonlyMap<string, ServiceConnectionRef>;
  /** The instance's own PostgreSQL users, by the product's logical service name. */
  readonly databaseUsers: ReadonlyMap<string, DatabaseUser>;
  /** The instance's own cache users, by the product's logical service name. */
  readonly cacheUsers: ReadonlyMap<string, CacheUser>;
  /** The instance's own roles in the search services' security plugin, by the product's logical service name. */
  readonly searchRoles: ReadonlyMap<string, SearchRole>;
  /** The namespace's SecretStore role, when the namespace syncs secrets. */
  readonly secretStore?: NamespaceSecrets;
  readonly secretsRelease?: Release;
  readonly certificate?: DataAwsAcmCertificate;
  /** ARN the ingresses present (`certificateArn`, or the looked-up certificate's). */
  readonly certificateArn?: string;
  readonly workloads: ReadonlyMap<string, Workload>;
  /** The release rendering the Rollouts of workloads with progressive delivery. */
  readonly rolloutsRelease?: Release;

  constructor(scope: Construct, id: string, props: ProductWorkloadsProps) {
    super(scope, id);
    const { product, policy, naming } = props;
    validateProps(id, props);
    const resourcesNaming = props.resourcesNaming ?? naming;
    const namespace = product.namespace ?? props.name;
    this.namespaceName = namespace;
    const labels = { [PART_OF_LABEL]: props.name };

    this.namespace = new AppNamespace(this, "namespace", {
      name: namespace,
      product: props.name,
      quota: props.quota ?? namespaceQuota(product, policy),
      limitRange: policy.namespace.limitRange,
      podSecurity: policy.namespace.podSecurity,
      ...(props.namespaceLabels ? { labels: props.namespaceLabels } : {}),
    });
    const inNamespace = [this.namespace.namespace];

    // Config maps, with a checksum of their content.
    const configMaps = new Map<string, ConfigMapV1>();
    const checksums = new Map<string, string>();
    for (const [name, data] of Object.entries(product.configMaps)) {
      configMaps.set(name, new ConfigMapV1(this, `config-${name}`, { metadata: { name, namespace, labels }, data: { ...data }, dependsOn: inNamespace }));
      checksums.set(name, createHash("sha256").update(JSON.stringify(Object.entries(data).sort())).digest("hex"));
    }
    this.configMaps = configMaps;

    // Secrets Manager secrets (containers only: values are set out of band), and whether each has a value yet.
    const secrets = new Map<string, SecretsmanagerSecret>();
    const gates = new Map<string, SecretValueGate>();
    for (const [name, declaration] of Object.entries(product.secrets)) {
      const secretName = appSecretName(naming, namespace, name);
      const secret = new SecretsmanagerSecret(this, `secret-${name}`, {
        name: secretName,
        description: declaration.description ?? `${props.name}/${name} (value set out of band; synced by External Secrets)`,
        kmsKeyId: props.dataKeyAlias,
        recoveryWindowInDays: policy.secrets.recoveryWindowDays,
        lifecycle: { preventDestroy: props.protectSecrets },
      });
      secrets.set(name, secret);
      gates.set(name, new SecretValueGate(this, `secret-${name}-value`, { secret, name: secretName }));
    }
    this.secrets = secrets;
    this.secretGates = gates;
    const declaredSecrets = [...secrets.keys()];

    // Connections of the data services the workloads use.
    const used = new Set(Object.values(product.workloads).flatMap((workload) => workload.uses));
    const connections = new Map<string, ServiceConnectionRef>();
    for (const logical of [...used].sort()) {
      const binding = product.services[logical];
      if (binding) connections.set(logical, new ServiceConnectionRef(this, `connection-${logical}`, logical, binding, resourcesNaming));
    }
    this.connections = connections;

    // The RDS certificate authorities, for the workloads that verify a PostgreSQL or DocumentDB server (their URLs
    // name the file): one config map per namespace, mounted read-only by those workloads.
    if ([...connections.values()].some((connection) => connection.verifiesRdsCa)) {
      this.rdsCa = new ConfigMapV1(this, "rds-ca", {
        metadata: { name: RDS_CA_CONFIG_MAP, namespace, labels },
        data: { [RDS_CA_FILE]: rdsCaBundle(props.account.region) },
        dependsOn: inNamespace,
      });
    }

    // PostgreSQL: the instance's own IAM-authenticated user on each service it uses, never the master user. A shared
    // tenant's user owns its own database; the environment's instance owns the service's database.
    const databaseUsers = new Map<string, DatabaseUser>();
    const username = databaseUserName(props.name, props.sharedTenant);
    for (const connection of connections.values()) {
      if (connection.binding.kind !== "postgres") continue;
      databaseUsers.set(
        connection.logicalName,
        new DatabaseUser(this, `database-user-${connection.logicalName}`, {
          username,
          database: props.sharedTenant ? username : connection.database,
          serviceName: connection.binding.name ?? connection.logicalName,
          host: connection.host,
          port: connection.port,
          dataTierCidrs: props.network.dataTierCidrs,
          ...(props.sharedTenant ? { tenant: props.sharedTenant } : {}),
          ...(props.databaseBootstrap ? { dependsOn: props.databaseBootstrap } : {}),
        }),
      );
    }
    this.databaseUsers = databaseUsers;

    const needsDataKey =
      Object.keys(product.secrets).length > 0 ||
      [...connections.values()].some((connection) => (connection.usesPassword && connection.binding.kind !== "postgres") || connection.cachePassword) ||
      Object.values(product.workloads).some((workload) => workload.grants.some((grant) => grant.bucket !== undefined || grant.secretsPrefix !== undefined));
    const dataKeyArn = needsDataKey ? new DataAwsKmsAlias(this, "data-key", { name: props.dataKeyAlias }).targetKeyArn : "";

    // Caches: the instance's own user on each, in the cache's user group: IAM-authenticated, or (authentication:
    // password) with a password the stack's rotation function generates and rotates. A shared tenant's user reaches its
    // key prefix only; the environment's instance the whole keyspace, never the dangerous commands.
    const cacheUsers = new Map<string, CacheUser>();
    for (const connection of connections.values()) {
      if (connection.binding.kind !== "redis") continue;
      const service = connection.binding.name ?? connection.logicalName;
      const userId = redisUserId(naming, service, props.name);
      cacheUsers.set(
        connection.logicalName,
        new CacheUser(this, `cache-user-${connection.logicalName}`, {
          userId,
          ...connection.cacheUserGroup,
          accessString: redisAccessString(props.sharedTenant ? tenantKeyPrefix(props.sharedTenant) : undefined),
          ...(connection.cachePassword
            ? {
                password: {
                  rotation: CachePasswordRotation.of(this, {
                    naming,
                    account: props.account,
                    dataKeyAlias: props.dataKeyAlias,
                    logging: passwordRotationLogging(props, connection.logicalName),
                  }),
                  secretName: cachePasswordSecretName(naming, namespace, connection.logicalName),
                  kmsKeyId: props.dataKeyAlias,
                  recoveryWindowDays: policy.secrets.recoveryWindowDays,
                  protect: props.protectSecrets,
                  accountId: props.account.accountId,
                  ...(connection.binding.passwordRotationDays ? { rotationDays: connection.binding.passwordRotationDays } : {}),
                },
              }
            : {}),
        }),
      );
    }
    this.cacheUsers = cacheUsers;
    const cacheSecretArn = (logical: string) => cacheUsers.get(logical)?.secret?.arn;

    // ExternalSecrets: declared secrets and data-service credentials, through the namespace's own SecretStore.
    const { refreshInterval } = policy.secrets;
    const serviceSecrets = [...connections.values()].filter((connection) => connection.usesPassword && !databaseUsers.has(connection.logicalName));
    const cacheSecrets = [...connections.values()].filter((connection) => cacheSecretArn(connection.logicalName) !== undefined);
    const externalSecrets: ExternalSecretValues[] = [
      ...Object.entries(product.secrets).map(([name, declaration]) => ({
        name: `secret-${name}`,
        refreshInterval,
        data: (declaration.properties ?? [undefined]).map((property) => ({
          secretKey: property ?? "value",
          remoteRef: { key: appSecretName(naming, namespace, name), ...(property ? { property } : {}) },
        })),
      })),
      ...serviceSecrets.flatMap((connection) => connection.externalSecret(refreshInterval) ?? []),
      ...cacheSecrets.flatMap((connection) => connection.externalSecret(refreshInterval, cacheSecretArn(connection.logicalName)) ?? []),
    ];
    if (externalSecrets.length > 0) {
      this.secretStore = new NamespaceSecrets(this, "secret-store", {
        namespace,
        naming,
        account: props.account,
        operatorRoleArn: externalSecretsRoleArn(props.account, resourcesNaming),
        dataKeyArn,
        ownSecrets: Object.keys(product.secrets).length > 0,
        extraSecretArns: [...serviceSecrets.map((connection) => connection.secretArn), ...cacheSecrets.map((connection) => cacheSecretArn(connection.logicalName) as string)],
      });
      this.secretsRelease = localChartRelease(this, "secrets", {
        chart: WORKLOAD_SECRETS_CHART,
        name: WORKLOAD_SECRETS_CHART,
        namespace,
        values: { labels, secretStore: this.secretStore.storeValues(), externalSecrets },
        dependsOn: [...inNamespace, ...secrets.values(), ...[...cacheUsers.values()].flatMap((user) => user.secret ?? []), this.secretStore.policy, ...(props.dependsOn ?? [])],
      });
    }

    const hasIngress = Object.values(product.workloads).some((workload) => workload.ingress);
    if (hasIngress && product.domain && props.certificateArn) this.certificateArn = props.certificateArn;
    else if (hasIngress && product.domain) {
      this.certificate = new DataAwsAcmCertificate(this, "certificate", {
        domain: product.certificateDomain ?? `*.${product.domain}`,
        statuses: ["ISSUED"],
        mostRecent: true,
      });
      this.certificateArn = this.certificate.arn;
    }

    // Workloads: pre-rollout jobs first; everything else waits for them.
    const ordered = Object.entries(product.workloads).sort(([, a], [, b]) => Number(b.kind === "pre-rollout") - Number(a.kind === "pre-rollout"));
    const jobs: ITerraformDependable[] = [];
    const workloads = new Map<string, Workload>();
    const grantScope = { account: props.account, resourcesNaming, secretsPath: secretNamePrefix(naming, { kind: "namespace", namespace }), dataKeyArn };
    for (const [name, spec] of ordered) {
      const usedConnections = spec.uses.map((logical) => connections.get(logical)).filter((ref): ref is ServiceConnectionRef => ref !== undefined);
      const statements = [
        ...limitToPrefix(grantStatements(spec.grants, grantScope), props.objectPrefix),
        ...databaseUserStatements(usedConnections.flatMap((ref) => (databaseUsers.has(ref.logicalName) ? [ref] : [])), username, props.account),
        ...serviceStatements(
          usedConnections
            // A cache in password mode needs no AWS permission: its user admits the password only.
            .filter((ref) => serviceNeedsAws(ref.binding.kind) && !ref.cachePassword)
            .map((ref) => {
              const cacheUser = cacheUsers.get(ref.logicalName);
              return { kind: ref.binding.kind, name: ref.binding.name ?? ref.logicalName, ...(cacheUser ? { cacheUserId: cacheUser.user.userId } : {}) };
            }),
          grantScope,
        ),
      ];
      const env: EnvVar[] = [
        ...(product.domain ? [{ name: APP_DOMAIN_ENV, value: product.domain }] : []),
        ...(statements.length > 0 ? [{ name: AWS_REGION_ENV, value: props.account.region }] : []),
        ...(props.objectPrefix && spec.grants.some((grant) => grant.bucket !== undefined) ? [{ name: OBJECT_PREFIX_ENV, value: props.objectPrefix }] : []),
        ...(props.sharedTenant ? [{ name: TENANT_ID_ENV, value: props.sharedTenant }] : []),
        ...usedConnections.flatMap((ref) => {
          const user = databaseUsers.get(ref.logicalName);
          const cacheUser = cacheUsers.get(ref.logicalName)?.user.userId;
          return [
            ...(user ? ref.iamDatabaseEnv(user.username, user.database) : ref.env(cacheUser)),
            ...(props.sharedTenant ? ref.tenantPrefixEnv(props.sharedTenant) : ref.productPrefixEnv(props.name)),
          ];
        }),
        ...grantEnv(spec.grants, grantScope),
        ...userEnv(spec),
      ];
      const configRefs = configMapsReferenced(spec);
      const checksum = configRefs.length > 0 ? digest(configRefs.map((map) => checksums.get(map) ?? "").join(",")) : undefined;
      const workload = new Workload(this, `workload-${name}`, {
        name,
        namespace,
        namespaceResource: this.namespace.namespace,
        product: props.name,
        spec,
        policy,
        naming,
        account: props.account,
        clusterName: props.clusterName,
        env,
        envFromConfigMaps: spec.envFrom,
        ...(usedConnections.some((ref) => ref.verifiesRdsCa) ? { configMapVolumes: [{ name: RDS_CA_VOLUME, configMap: RDS_CA_CONFIG_MAP, mountPath: RDS_CA_MOUNT }] } : {}),
        ...(checksum ? { podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: checksum } } : {}),
        ...(props.delivery?.reloader ? { reloadSecrets: secretRefs(env) } : {}),
        ...(spec.progressiveDelivery ? { progressiveDelivery: rolloutSettings(`workloads.${name}`, props, spec.progressiveDelivery) } : {}),
        podLabels: logLabels(props, spec),
        // The apply waits for the rollout only once every secret value the pods read is seeded.
        awaitReadiness: awaitsReadiness(secretsReadBy(spec, declaredSecrets).map((secret) => gates.get(secret) as SecretValueGate)),
        awsStatements: statements,
        ...(searchTags(usedConnections) ? { roleTags: searchTags(usedConnections) } : {}),
        protectVolumes: props.protectSecrets,
        network: {
          loadBalancerCidrs: props.network.loadBalancerCidrs,
          ...(usedConnections.length > 0 ? { dataTier: { cidrs: props.network.dataTierCidrs, ports: usedConnections.map((ref) => ref.port) } } : {}),
          connectsTo: spec.connectsTo.map((target) => peer(target, namespace, product.workloads[target])),
          calledBy: Object.entries(product.workloads)
            .filter(([, other]) => other.connectsTo.includes(name))
            .map(([caller, other]) => peer(caller, namespace, other)),
        },
        ...(spec.ingress && props.ingressGroup && product.domain && this.certificateArn
          ? {
              ingress: {
                group: props.ingressGroup,
                hosts: spec.ingress.hosts.map((host) => qualifyHost(host, product.domain as string)),
                certificateArns: [this.certificateArn],
              },
            }
          : {}),
        dependsOn: [
          ...inNamespace,
          ...configRefs.flatMap((ref) => configMaps.get(ref) ?? []),
          ...(usedConnections.some((ref) => ref.verifiesRdsCa) && this.rdsCa ? [this.rdsCa] : []),
          ...(this.secretsRelease ? [this.secretsRelease] : []),
          // A workload starts once the database and cache users it connects as exist.
          ...usedConnections.flatMap((ref) => databaseUsers.get(ref.logicalName)?.job ?? []),
          ...usedConnections.flatMap((ref) => cacheUsers.get(ref.logicalName)?.association ?? []),
          // A password user's first rotation (which gives it its password) has started.
          ...usedConnections.flatMap((ref) => cacheUsers.get(ref.logicalName)?.rotation ?? []),
          ...(spec.kind === "pre-rollout" ? [] : jobs),
          ...(props.dependsOn ?? []),
        ],
      });
      if (workload.job) jobs.push(workload.job);
      workloads.set(name, workload);
    }
    this.workloads = workloads;

    const rollouts = [...workloads.values()].filter((workload) => workload.rollout !== undefined);
    if (rollouts.length > 0) {
      this.rolloutsRelease = localChartRelease(this, "rollouts", {
        chart: WORKLOAD_ROLLOUTS_CHART,
        name: WORKLOAD_ROLLOUTS_CHART,
        namespace,
        values: { labels, rollouts: rollouts.map((workload) => workload.rollout as RolloutValues) },
        // The Deployments they reference and the Services they switch exist first; the controller and its CRDs come
        // with the platform add-ons (props.dependsOn).
        dependsOn: [
          ...inNamespace,
          ...rollouts.flatMap((workload) => [workload.deployment, workload.service, workload.previewService].filter((item): item is NonNullable<typeof item> => item !== undefined)),
          ...(props.dependsOn ?? []),
        ],
      });
    }

    // OpenSearch: the instance's own role in each search service's security plugin, limited to its index pattern
    // (a shared tenant's `<tenant>-*`, the environment's instance `<product>-*`) and mapped to the IAM roles of the
    // workloads that use the service (which carry the domain's access tag).
    const searchRoles = new Map<string, SearchRole>();
    for (const connection of connections.values()) {
      if (connection.binding.kind !== "opensearch") continue;
      const users = Object.entries(product.workloads).filter(([, spec]) => spec.uses.includes(connection.logicalName)).map(([name]) => workloadRoleName(naming, namespace, name));
      searchRoles.set(
        connection.logicalName,
        new SearchRole(this, `search-role-${connection.logicalName}`, {
          serviceName: connection.binding.name ?? connection.logicalName,
          host: connection.host,
          account: props.account,
          roleName: searchRoleName({ product: props.name, ...(props.sharedTenant ? { tenant: props.sharedTenant } : {}) }),
          definition: searchRoleDefinition({ kind: "application", indexPrefix: props.sharedTenant ? tenantIndexPrefix(props.sharedTenant) : productIndexPrefix(props.name) }),
          backendRoles: users,
          dataTierCidrs: props.network.dataTierCidrs,
          ...(props.sharedTenant ? { tenant: props.sharedTenant } : {}),
          ...(props.searchSecurity ? { dependsOn: props.searchSecurity } : {}),
        }),
      );
    }
    this.searchRoles = searchRoles;
  }
}

/** The rotation function's logging, required once a cache binding is in password mode. */
function passwordRotationLogging(props: ProductWorkloadsProps, service: string): { retentionDays: number; kmsKeyAlias: string; alarmTopicArn?: string } {
  if (!props.passwordRotation) {
    throw new Error(`ProductWorkloads ${props.name}: services.${service}.authentication is password, but no passwordRotation logging was given for the stack's rotation function`);
  }
  const { retentionDays, logsKeyAlias, alarmTopicArn } = props.passwordRotation;
  return { retentionDays, kmsKeyAlias: logsKeyAlias, ...(alarmTopicArn ? { alarmTopicArn } : {}) };
}

/** The access tags of the search services a workload uses (constructs/opensearch `searchAccessTag`). */
function searchTags(connections: readonly ServiceConnectionRef[]): Record<string, string> | undefined {
  const tags = connections.filter((ref) => ref.binding.kind === "opensearch").map((ref) => searchAccessTag(ref.binding.name ?? ref.logicalName));
  return tags.length > 0 ? Object.fromEntries(tags.map((tag) => [tag.key, tag.value])) : undefined;
}

/** Kubernetes Secrets an environment reads (secretKeyRef), sorted and unique. */
function secretRefs(env: readonly EnvVar[]): string[] {
  return [...new Set(env.flatMap((variable) => variable.valueFrom?.secretKeyRef?.name ?? []))].sort();
}

/** A workload's progressive delivery with the product's thresholds and metric names filled in. */
function rolloutSettings(path: string, props: ProductWorkloadsProps, delivery: NonNullable<ProductConfig["workloads"][string]["progressiveDelivery"]>): RolloutSettings {
  const rollouts = props.delivery?.rollouts;
  if (!rollouts) {
    throw new Error(`ProductWorkloads ${props.name}: ${path}.progressiveDelivery needs the Argo Rollouts controller (addons.argoRollouts.enabled) in the cluster`);
  }
  const thresholds = effectiveThresholds(rollouts.alertThresholds, props.product.alerts);
  return {
    strategy: delivery.strategy,
    ...(delivery.steps ? { steps: delivery.steps } : {}),
    analysis: {
      interval: delivery.analysis.interval,
      measurements: delivery.analysis.measurements,
      failureLimit: delivery.analysis.failureLimit,
      errorRatePercent: delivery.analysis.errorRatePercent ?? thresholds.httpErrorRatePercent.threshold,
      latencyP95Seconds: delivery.analysis.latencyP95Seconds ?? thresholds.httpLatencyP95Seconds.threshold,
    },
    httpMetrics: props.product.monitoring.httpMetrics,
  };
}

/**
 * The log pipeline's labels of a workload's pods: the product's log prefix (a shared tenant's instance adds its id, so
 * its logs have indices and streams of their own), the retention class, and the OpenSearch index prefix of both.
 */
export function logLabels(props: Pick<ProductWorkloadsProps, "name" | "product" | "sharedTenant">, spec: WorkloadConfig): Record<string, string> {
  const base = props.product.logs.indexPrefix ?? props.name;
  const prefix = props.sharedTenant ? `${base}-${props.sharedTenant}` : base;
  const logClass = spec.logs?.class ?? props.product.logs.class;
  return { [LOG_LABELS.prefix]: prefix, [LOG_LABELS.class]: logClass, [LOG_LABELS.index]: `${LOG_INDEX_PREFIX}${prefix}-${logClass}` };
}

/** Bucket grants limited to objects under `prefix` (see ProductWorkloadsProps.objectPrefix). */
function limitToPrefix(statements: WorkloadPolicyStatement[], prefix: string | undefined): WorkloadPolicyStatement[] {
  if (!prefix) return statements;
  return statements.map((statement) => {
    const actions = statement.actions ?? [];
    const resources = statement.resources ?? [];
    if (actions.length === 0 || !actions.every((action) => action.startsWith("s3:"))) return statement;
    if (resources.every((resource) => resource.endsWith("/*"))) {
      return { ...statement, resources: resources.map((resource) => `${resource.slice(0, -1)}${prefix}*`) };
    }
    const conditions = Array.isArray(statement.condition) ? statement.condition : [];
    return { ...statement, condition: [...conditions, { test: "StringLike", variable: "s3:prefix", values: [`${prefix}*`] }] };
  });
}

/**
 * `rds-db:connect` as the instance's own database user on each PostgreSQL service it uses: the service's resource id
 * (published in its connection description) and the user, `dbuser:<resource-id>/<user>`, never `dbuser:*`.
 */
function databaseUserStatements(connections: readonly ServiceConnectionRef[], username: string, account: AccountScope): WorkloadPolicyStatement[] {
  if (connections.length === 0) return [];
  const { region, accountId } = account;
  return [{ actions: ["rds-db:connect"], resources: connections.map((ref) => `arn:${partitionOf(region)}:rds-db:${region}:${accountId}:dbuser:${ref.resourceId}/${username}`) }];
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, CHECKSUM_LENGTH);
}

function peer(name: string, namespace: string, spec: WorkloadConfig | undefined) {
  return { selector: selectorLabels({ name, namespace }), ports: Object.values(spec?.ports ?? {}) };
}

/** Config maps a workload reads (envFrom and single keys). */
function configMapsReferenced(spec: WorkloadConfig): string[] {
  const keys = Object.values(spec.env).flatMap((value) => (typeof value !== "string" && "configMap" in value ? [value.configMap] : []));
  return [...new Set([...spec.envFrom, ...keys])].sort();
}

/** The workload's own variables: plain values, declared secrets (synced Kubernetes Secrets) and config map keys. */
function userEnv(spec: WorkloadConfig): EnvVar[] {
  return Object.entries(spec.env).map(([name, value]): EnvVar => {
    if (typeof value === "string") return { name, value };
    if ("secret" in value) return { name, valueFrom: { secretKeyRef: { name: `secret-${value.secret}`, key: value.property ?? "value" } } };
    return { name, valueFrom: { configMapKeyRef: { name: value.configMap, key: value.key } } };
  });
}

/**
 * The namespace quota that fits the product at full scale: each Deployment at its maximum replicas plus rollout
 * surge, each job or cron job once, plus the policy's headroom. Containers without a CPU limit count with the
 * LimitRange default they receive.
 */
export function namespaceQuota(product: ProductConfig, policy: WorkloadPolicy): NamespaceQuota {
  const totals = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0, pods: 0 };
  const defaultCpuLimit = parseCpu(policy.namespace.limitRange.default.cpu) ?? 0;
  for (const spec of Object.values(product.workloads)) {
    let pods = 1;
    if (DEPLOYMENT_KINDS.includes(spec.kind)) {
      const { max } = replicaBounds(spec, policy);
      pods = max + surge(max, policy.rollingUpdate.maxSurge);
    }
    const { requests, limits } = spec.resources;
    totals.requestsCpu += pods * (parseCpu(requests.cpu) ?? 0);
    totals.requestsMemory += pods * (parseMemory(requests.memory) ?? 0);
    totals.limitsCpu += pods * (limits.cpu === undefined ? defaultCpuLimit : (parseCpu(limits.cpu) ?? 0));
    totals.limitsMemory += pods * (parseMemory(limits.memory) ?? 0);
    totals.pods += pods;
  }
  const factor = 1 + policy.namespace.quotaHeadroomPercent / 100;
  return {
    requestsCpu: formatCpu(totals.requestsCpu * factor),
    requestsMemory: formatMemory(totals.requestsMemory * factor),
    limitsCpu: formatCpu(totals.limitsCpu * factor),
    limitsMemory: formatMemory(totals.limitsMemory * factor),
    pods: Math.ceil(totals.pods * factor),
  };
}

/** Extra pods a rolling update may start (Kubernetes rounds a percentage up). */
function surge(replicas: number, maxSurge: string): number {
  return maxSurge.endsWith("%") ? Math.ceil((replicas * Number(maxSurge.slice(0, -1))) / 100) : Number(maxSurge);
}

function validateProps(id: string, props: ProductWorkloadsProps): void {
  const problems: string[] = [];
  const parsed = ProductSchema.safeParse(props.product);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `product.${issue.path.join(".") || "(root)"}: ${issue.message}`));
  else {
    // The rules an environment applies (pinning policy, minimum replicas, LimitRange ceilings, a domain for hosts).
    const found: { path: PropertyKey[]; message: string }[] = [];
    const ctx = { addIssue: (issue: { path?: PropertyKey[]; message?: string }) => found.push({ path: issue.path ?? [], message: issue.message ?? "" }) };
    checkProducts({ products: { [props.name]: parsed.data }, workloads: props.policy }, ctx as never);
    problems.push(...found.map((issue) => `${issue.path.slice(2).join(".") || "product"}: ${issue.message}`));
  }
  try {
    validateName("k8s-name", props.product.namespace ?? props.name);
  } catch (error) {
    problems.push(`namespace: ${(error as Error).message}`);
  }
  const hasIngress = Object.values(props.product.workloads ?? {}).some((workload) => workload.ingress);
  if (hasIngress && !props.ingressGroup) problems.push("workloads have an ingress but no ingressGroup was given (the environment's ALB group)");
  if (!/^alias\/[\w/-]+$/.test(props.dataKeyAlias)) problems.push(`dataKeyAlias "${props.dataKeyAlias}" is not a KMS alias name (alias/...)`);
  if (problems.length > 0) throw new Error(`ProductWorkloads ${id} (${props.name}) is invalid:\n  - ${problems.join("\n  - ")}`);
}

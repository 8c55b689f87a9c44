/**
 * The products an environment runs (`products.<name>` of its configuration), composed for a platform stack: one
 * ProductWorkloads per product, all in the environment's shared ALB group, with the network layout computed from
 * the environment's network configuration (the same deterministic subnet plan the infra stack builds). The
 * regional WAF web ACL, when the edge has one, is read from the edge's published description (an SSM parameter
 * found by name at plan time; see constructs/edge).
 */
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, TerraformOutput, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { qualifyHost, type ProductConfig } from "../../config/schema/products";
import { DnsValidatedCertificate } from "../certificates";
import type { EnvironmentConfig } from "../../config/schema/environment";
import { partitionOf, type AccountScope } from "../core/aws";
import { alertsTopicName } from "../alerts-topic";
import type { Naming } from "../core/naming";
import { edgeParameterName } from "../edge";
import { planSubnets } from "../network/subnet-layout";
import { environmentAccessLogBucket } from "../object-storage";
import { ingressGroupSettings } from "../workload/ingress";
import { ProductWorkloads, type DeliveryProps, type PasswordRotationLogging, type WorkloadNetworkLayout } from "./index";

export interface EnvironmentProductsProps {
  readonly environment: Pick<EnvironmentConfig, "network" | "workloads" | "products" | "edge" | "storage" | "addons" | "observability">;
  /** Naming scope of the stack (the environment's, or a dedicated tenant's). */
  readonly naming: Naming;
  readonly account: AccountScope;
  readonly clusterName: string;
  /** Whether secrets get `prevent_destroy` (see protectsState in stacks/context.ts). */
  readonly protectSecrets: boolean;
  /**
   * ARN of the regional WAF web ACL attached to the environment's ALB.
   * @default the edge's regional web ACL (from its published description) when `edge.waf.regional` is on and the
   * edge has domains; none otherwise
   */
  readonly webAclArn?: string;
  /** Platform resources every product waits for (External Secrets stores, load balancer controller). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** What the products' database-user Jobs wait for (constructs/database-bootstrap `ready`). @default none */
  readonly databaseBootstrap?: readonly ITerraformDependable[];
  /** What the products' search-role Jobs wait for (constructs/search-security `ready`). @default none */
  readonly searchSecurity?: readonly ITerraformDependable[];
  /**
   * Certificates of the products' domains. `lookup`: find the edge's issued certificate (an environment, whose
   * edge issues one per domain). `issue`: issue one per product in this stack, for `<domain>` and `*.<domain>`,
   * DNS-validated in the environment's hosted zone containing the domain (a dedicated tenant, whose domains the
   * edge does not know); `customCertificates` names the certificates of custom domains outside those zones.
   * @default "lookup"
   */
  readonly certificates?: "lookup" | "issue";
  /** Product name -> ACM certificate ARN, for products on a custom domain (tenant files' `certificateArn`). @default none */
  readonly customCertificates?: Readonly<Record<string, string>>;
}

/** The hosted zone a domain belongs to: the longest of the environment's edge domains containing it. */
export function hostedZoneOf(domain: string, edge: Pick<EnvironmentConfig, "edge">["edge"]): string | undefined {
  return Object.values(edge.domains)
    .map((entry) => entry.name)
    .filter((zone) => domain === zone || domain.endsWith(`.${zone}`))
    .sort((a, b) => b.length - a.length)[0];
}

/**
 * A certificate for `<domain>` and `*.<domain>` (the apex and one-label hosts a product routes), DNS-validated in
 * the environment's hosted zone containing the domain, found by name. Creates `zone` and `certificate` in `scope`.
 */
export function issueDomainCertificate(scope: Construct, domain: string, edge: Pick<EnvironmentConfig, "edge">["edge"]): DnsValidatedCertificate {
  const zoneDomain = hostedZoneOf(domain, edge);
  if (!zoneDomain) {
    const zones = Object.values(edge.domains).map((entry) => entry.name).join(", ") || "none";
    throw new Error(`${scope.node.path}: ${domain} is in none of the environment's hosted zones (${zones}); a custom domain needs its certificate ARN`);
  }
  const zone = new DataAwsRoute53Zone(scope, "zone", { name: zoneDomain, privateZone: false });
  return new DnsValidatedCertificate(scope, "certificate", { domainName: domain, subjectAlternativeNames: [`*.${domain}`], zoneId: zone.zoneId, zoneDomain });
}

/**
 * For a product on a custom domain (whose zone external-dns does not manage): an output naming the hosts and the
 * load balancer they must point at (CNAME), read from the ingress status once the controller has provisioned it.
 */
export function customDomainOutput(scope: Construct, id: string, product: ProductConfig, workloads: ProductWorkloads): TerraformOutput | undefined {
  const domain = product.domain;
  const ingress = [...workloads.workloads.values()].find((workload) => workload.ingress)?.ingress;
  if (!domain || !ingress) return undefined;
  const hosts = [...new Set(Object.values(product.workloads).flatMap((workload) => workload.ingress?.hosts ?? []))].sort().map((host) => qualifyHost(host, domain));
  const target = Fn.try([ingress.status.get(0).loadBalancer.get(0).ingress.get(0).hostname, "(pending: the load balancer is still being provisioned; run the deploy again)"]);
  return new TerraformOutput(scope, id, {
    description: `Custom domain ${domain}: point these hosts at the load balancer in its DNS (CNAME; an alias record at a zone apex)`,
    value: { domain, hosts, cnameTarget: target },
  });
}

/** Subnets the workloads' network policies refer to. */
export function workloadNetworkLayout(environment: Pick<EnvironmentConfig, "network" | "workloads">): WorkloadNetworkLayout {
  const { network } = environment;
  const layout = planSubnets(network.cidr, network.availabilityZones?.length ?? network.azCount, network.subnetNewBits);
  return {
    loadBalancerCidrs: environment.workloads.ingress.scheme === "internet-facing" ? layout.public : layout.private,
    dataTierCidrs: layout.data,
  };
}

/**
 * The regional web ACL the edge publishes, when it has one. The edge is the environment's (a dedicated tenant's
 * stacks have none), so its description is found under the environment's name.
 */
function edgeWebAclArn(scope: Construct, props: EnvironmentProductsProps): string | undefined {
  return regionalWebAclArn(scope, "products-edge", props.environment.edge, props.naming);
}

/** The edge's regional web ACL ARN, read from its published description at plan time (none without one). */
export function regionalWebAclArn(scope: Construct, id: string, edge: Pick<EnvironmentConfig, "edge">["edge"], naming: Naming): string | undefined {
  if (!edge.waf.regional || Object.keys(edge.domains).length === 0) return undefined;
  const description = new DataAwsSsmParameter(scope, id, { name: edgeParameterName(naming.withoutTenant()) });
  return Token.asString(Fn.lookup(Fn.jsondecode(description.insecureValue), "webAclArn"));
}

/** The delivery add-ons of a cluster running the environment's configuration (see DeliveryProps). */
export function deliveryOf(environment: Pick<EnvironmentConfig, "addons" | "observability">): DeliveryProps {
  const { reloader, argoRollouts } = environment.addons;
  return { reloader: reloader.enabled, ...(argoRollouts.enabled ? { rollouts: { alertThresholds: environment.observability.alertRules.product } } : {}) };
}

/**
 * The log group of the stack's cache password rotation function (constructs/cache-password-rotation): rotations are
 * security events, kept as long as the environment's audit logs, encrypted with the environment's logs key.
 */
export function passwordRotationOf(environment: Pick<EnvironmentConfig, "observability">, naming: Naming, account: AccountScope): PasswordRotationLogging {
  return {
    retentionDays: environment.observability.logs.retention.audit,
    logsKeyAlias: naming.kmsAlias("logs"),
    // The cluster owner's alerts topic (its infra stack creates it; this stack names it).
    alarmTopicArn: `arn:${partitionOf(account.region)}:sns:${account.region}:${account.accountId}:${alertsTopicName(naming)}`,
  };
}

/** One ProductWorkloads per product of the environment, keyed by product name. */
export function environmentProducts(scope: Construct, props: EnvironmentProductsProps): Map<string, ProductWorkloads> {
  const { environment } = props;
  const products = new Map<string, ProductWorkloads>();
  const names = Object.keys(environment.products).sort();
  if (names.length === 0) return products;
  const network = workloadNetworkLayout(environment);
  const accessLogBucket = environmentAccessLogBucket(environment.storage, props.naming);
  const ingressGroup = ingressGroupSettings(props.naming, environment.workloads.ingress, props.webAclArn ?? edgeWebAclArn(scope, props), accessLogBucket);
  for (const name of names) {
    const product = environment.products[name] as EnvironmentConfig["products"][string];
    const hasIngress = Object.values(product.workloads).some((workload) => workload.ingress);
    const custom = props.customCertificates?.[name];
    const certificateArn =
      custom ?? (props.certificates === "issue" && hasIngress && product.domain ? issueDomainCertificate(new Construct(scope, `certificate-${name}`), product.domain, environment.edge).arn : undefined);
    const workloads = new ProductWorkloads(scope, `product-${name}`, {
      name,
      product,
      policy: environment.workloads,
      naming: props.naming,
      account: props.account,
      clusterName: props.clusterName,
      network,
      ingressGroup,
      dataKeyAlias: props.naming.kmsAlias("data"),
      protectSecrets: props.protectSecrets,
      delivery: deliveryOf(environment),
      passwordRotation: passwordRotationOf(environment, props.naming, props.account),
      ...(certificateArn ? { certificateArn } : {}),
      ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      ...(props.databaseBootstrap ? { databaseBootstrap: props.databaseBootstrap } : {}),
      ...(props.searchSecurity ? { searchSecurity: props.searchSecurity } : {}),
    });
    products.set(name, workloads);
    if (custom) customDomainOutput(scope, `custom-domain-${name}`, product, workloads);
  }
  return products;
}

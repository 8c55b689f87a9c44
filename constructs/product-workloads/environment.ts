/**
 * The products an environment runs (`products.<name>` of its configuration), composed for a platform stack: one
 * ProductWorkloads per product, all in the environment's shared ALB group, with the network layout computed from
 * the environment's network configuration (the same deterministic subnet plan the infra stack builds). The
 * regional WAF web ACL, when the edge has one, is read from the edge's published description (an SSM parameter
 * found by name at plan time; see constructs/edge).
 */
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, Token, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../../config/schema/environment";
import type { AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { edgeParameterName } from "../edge";
import { planSubnets } from "../network/subnet-layout";
import { accessLogBucketName } from "../object-storage";
import { ingressGroupSettings } from "../workload/ingress";
import { ProductWorkloads, type WorkloadNetworkLayout } from "./index";

export interface EnvironmentProductsProps {
  readonly environment: Pick<EnvironmentConfig, "network" | "workloads" | "products" | "edge" | "storage">;
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

/** The regional web ACL the edge publishes, when it has one. */
function edgeWebAclArn(scope: Construct, props: EnvironmentProductsProps): string | undefined {
  const { edge } = props.environment;
  if (!edge.waf.regional || Object.keys(edge.domains).length === 0) return undefined;
  const description = new DataAwsSsmParameter(scope, "products-edge", { name: edgeParameterName(props.naming) });
  return Token.asString(Fn.lookup(Fn.jsondecode(description.insecureValue), "webAclArn"));
}

/** One ProductWorkloads per product of the environment, keyed by product name. */
export function environmentProducts(scope: Construct, props: EnvironmentProductsProps): Map<string, ProductWorkloads> {
  const { environment } = props;
  const products = new Map<string, ProductWorkloads>();
  const names = Object.keys(environment.products).sort();
  if (names.length === 0) return products;
  const network = workloadNetworkLayout(environment);
  // The environment's access-log bucket exists when access logging is on and buckets are declared (constructs/object-storage).
  const { storage } = environment;
  const accessLogBucket = storage.accessLogs.enabled && Object.keys(storage.buckets).length > 0 ? accessLogBucketName(props.naming) : undefined;
  const ingressGroup = ingressGroupSettings(props.naming, environment.workloads.ingress, props.webAclArn ?? edgeWebAclArn(scope, props), accessLogBucket);
  for (const name of names) {
    products.set(
      name,
      new ProductWorkloads(scope, `product-${name}`, {
        name,
        product: environment.products[name] as EnvironmentConfig["products"][string],
        policy: environment.workloads,
        naming: props.naming,
        account: props.account,
        clusterName: props.clusterName,
        network,
        ingressGroup,
        dataKeyAlias: props.naming.kmsAlias("data"),
        protectSecrets: props.protectSecrets,
        ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
      }),
    );
  }
  return products;
}

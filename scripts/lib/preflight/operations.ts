/**
 * Every read-only call the preflight makes, by `<service>:<Operation>` (the AWS CLI's service name, so a recorded
 * response is what `aws <service> <operation> --output json` prints), with the SDK's input and output types. The
 * live layer (aws.ts) sends each as the SDK command of that name; the recorded layer answers it from
 * `<dir>/<service>/<Operation>.json` (test/fixtures/aws/README.md). `dns:*` are DNS queries (dns.ts), recorded alike.
 *
 * Only reads: Describe/Get/List calls that the CI plan role's `ReadOnlyAccess` covers (and that its explicit denies
 * leave alone: no secret value, no object outside the environment's state prefix).
 */
import type { GetConnectionCommandInput, GetConnectionCommandOutput } from "@aws-sdk/client-codestar-connections";
import type {
  DescribeDBEngineVersionsCommandInput as DocDbEngineVersionsInput,
  DescribeDBEngineVersionsCommandOutput as DocDbEngineVersionsOutput,
  DescribeOrderableDBInstanceOptionsCommandInput as DocDbOrderableInput,
  DescribeOrderableDBInstanceOptionsCommandOutput as DocDbOrderableOutput,
} from "@aws-sdk/client-docdb";
import type {
  DescribeAddressesCommandInput,
  DescribeAddressesCommandOutput,
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypeOfferingsCommandOutput,
  DescribeInternetGatewaysCommandInput,
  DescribeInternetGatewaysCommandOutput,
  DescribeNatGatewaysCommandInput,
  DescribeNatGatewaysCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcEndpointsCommandInput,
  DescribeVpcEndpointsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
} from "@aws-sdk/client-ec2";
import type {
  DescribeAddonVersionsCommandInput,
  DescribeAddonVersionsCommandOutput,
  DescribeClusterVersionsCommandInput,
  DescribeClusterVersionsCommandOutput,
  ListClustersCommandInput,
  ListClustersCommandOutput,
} from "@aws-sdk/client-eks";
import type { DescribeCacheEngineVersionsCommandInput, DescribeCacheEngineVersionsCommandOutput } from "@aws-sdk/client-elasticache";
import type { DescribeLoadBalancersCommandInput, DescribeLoadBalancersCommandOutput, DescribeTagsCommandInput, DescribeTagsCommandOutput } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { GetRoleCommandInput, GetRoleCommandOutput, ListRolesCommandInput, ListRolesCommandOutput } from "@aws-sdk/client-iam";
import type {
  DescribeBrokerEngineTypesCommandInput,
  DescribeBrokerEngineTypesCommandOutput,
  DescribeBrokerInstanceOptionsCommandInput,
  DescribeBrokerInstanceOptionsCommandOutput,
} from "@aws-sdk/client-mq";
import type {
  ListInstanceTypeDetailsCommandInput,
  ListInstanceTypeDetailsCommandOutput,
  ListVersionsCommandInput,
  ListVersionsCommandOutput,
} from "@aws-sdk/client-opensearch";
import type {
  DescribeDBEngineVersionsCommandInput,
  DescribeDBEngineVersionsCommandOutput,
  DescribeOrderableDBInstanceOptionsCommandInput,
  DescribeOrderableDBInstanceOptionsCommandOutput,
} from "@aws-sdk/client-rds";
import type {
  GetHostedZoneCommandInput,
  GetHostedZoneCommandOutput,
  ListHostedZonesByNameCommandInput,
  ListHostedZonesByNameCommandOutput,
  ListResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandOutput,
} from "@aws-sdk/client-route-53";
import type { GetObjectCommandInput, ListObjectsV2CommandInput, ListObjectsV2CommandOutput } from "@aws-sdk/client-s3";
import type { ListSecretsCommandInput, ListSecretsCommandOutput } from "@aws-sdk/client-secrets-manager";
import type {
  GetAWSDefaultServiceQuotaCommandInput,
  GetAWSDefaultServiceQuotaCommandOutput,
  GetServiceQuotaCommandInput,
  GetServiceQuotaCommandOutput,
} from "@aws-sdk/client-service-quotas";
import type { GetParameterCommandInput, GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import type { GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput } from "@aws-sdk/client-sts";

/** What the SDK adds to every output (never recorded, never read). */
type Plain<T> = Omit<T, "$metadata">;

/** An NS query sent to one name server (dns.ts). */
export interface NsQueryInput {
  /** IP address of the server asked. */
  readonly Server: string;
  readonly Name: string;
}

export interface NsQueryOutput {
  /** DNS response code: NOERROR, NXDOMAIN, REFUSED, SERVFAIL, ... */
  readonly Rcode: string;
  /** The AA flag: the server answers for the zone itself (not a referral). */
  readonly Authoritative: boolean;
  /** NS records of the name in the answer section (an authoritative answer). */
  readonly Answer: readonly string[];
  /** NS records of the name in the authority section (a referral: the delegation). */
  readonly Authority: readonly string[];
}

/** `<service>:<Operation>` -> [input, output]. */
export interface Operations {
  "sts:GetCallerIdentity": [GetCallerIdentityCommandInput, Plain<GetCallerIdentityCommandOutput>];
  "iam:GetRole": [GetRoleCommandInput, Plain<GetRoleCommandOutput>];
  "iam:ListRoles": [ListRolesCommandInput, Plain<ListRolesCommandOutput>];
  "route53:ListHostedZonesByName": [ListHostedZonesByNameCommandInput, Plain<ListHostedZonesByNameCommandOutput>];
  "route53:GetHostedZone": [GetHostedZoneCommandInput, Plain<GetHostedZoneCommandOutput>];
  "route53:ListResourceRecordSets": [ListResourceRecordSetsCommandInput, Plain<ListResourceRecordSetsCommandOutput>];
  "ec2:DescribeInstanceTypeOfferings": [DescribeInstanceTypeOfferingsCommandInput, Plain<DescribeInstanceTypeOfferingsCommandOutput>];
  "ec2:DescribeVpcs": [DescribeVpcsCommandInput, Plain<DescribeVpcsCommandOutput>];
  "ec2:DescribeInternetGateways": [DescribeInternetGatewaysCommandInput, Plain<DescribeInternetGatewaysCommandOutput>];
  "ec2:DescribeAddresses": [DescribeAddressesCommandInput, Plain<DescribeAddressesCommandOutput>];
  "ec2:DescribeNatGateways": [DescribeNatGatewaysCommandInput, Plain<DescribeNatGatewaysCommandOutput>];
  "ec2:DescribeSubnets": [DescribeSubnetsCommandInput, Plain<DescribeSubnetsCommandOutput>];
  "ec2:DescribeVpcEndpoints": [DescribeVpcEndpointsCommandInput, Plain<DescribeVpcEndpointsCommandOutput>];
  "rds:DescribeDBEngineVersions": [DescribeDBEngineVersionsCommandInput, Plain<DescribeDBEngineVersionsCommandOutput>];
  "rds:DescribeOrderableDBInstanceOptions": [DescribeOrderableDBInstanceOptionsCommandInput, Plain<DescribeOrderableDBInstanceOptionsCommandOutput>];
  "docdb:DescribeDBEngineVersions": [DocDbEngineVersionsInput, Plain<DocDbEngineVersionsOutput>];
  "docdb:DescribeOrderableDBInstanceOptions": [DocDbOrderableInput, Plain<DocDbOrderableOutput>];
  "elasticache:DescribeCacheEngineVersions": [DescribeCacheEngineVersionsCommandInput, Plain<DescribeCacheEngineVersionsCommandOutput>];
  "opensearch:ListVersions": [ListVersionsCommandInput, Plain<ListVersionsCommandOutput>];
  "opensearch:ListInstanceTypeDetails": [ListInstanceTypeDetailsCommandInput, Plain<ListInstanceTypeDetailsCommandOutput>];
  "mq:DescribeBrokerEngineTypes": [DescribeBrokerEngineTypesCommandInput, Plain<DescribeBrokerEngineTypesCommandOutput>];
  "mq:DescribeBrokerInstanceOptions": [DescribeBrokerInstanceOptionsCommandInput, Plain<DescribeBrokerInstanceOptionsCommandOutput>];
  "eks:DescribeClusterVersions": [DescribeClusterVersionsCommandInput, Plain<DescribeClusterVersionsCommandOutput>];
  "eks:DescribeAddonVersions": [DescribeAddonVersionsCommandInput, Plain<DescribeAddonVersionsCommandOutput>];
  "eks:ListClusters": [ListClustersCommandInput, Plain<ListClustersCommandOutput>];
  "ssm:GetParameter": [GetParameterCommandInput, Plain<GetParameterCommandOutput>];
  "service-quotas:GetServiceQuota": [GetServiceQuotaCommandInput, Plain<GetServiceQuotaCommandOutput>];
  "service-quotas:GetAWSDefaultServiceQuota": [GetAWSDefaultServiceQuotaCommandInput, Plain<GetAWSDefaultServiceQuotaCommandOutput>];
  "elbv2:DescribeLoadBalancers": [DescribeLoadBalancersCommandInput, Plain<DescribeLoadBalancersCommandOutput>];
  "elbv2:DescribeTags": [DescribeTagsCommandInput, Plain<DescribeTagsCommandOutput>];
  "s3:ListObjectsV2": [ListObjectsV2CommandInput, Plain<ListObjectsV2CommandOutput>];
  /** The object's body as text (the live layer reads the stream; recordings hold the text). */
  "s3:GetObject": [GetObjectCommandInput, { readonly Body?: string }];
  "secretsmanager:ListSecrets": [ListSecretsCommandInput, Plain<ListSecretsCommandOutput>];
  "codestar-connections:GetConnection": [GetConnectionCommandInput, Plain<GetConnectionCommandOutput>];
  /** The system resolver's NS records of a name (node:dns resolveNs). */
  "dns:ResolveNs": [{ readonly Name: string }, { readonly NameServers: readonly string[] }];
  /** The system resolver's IPv4 addresses of a host (node:dns resolve4). */
  "dns:Resolve4": [{ readonly Name: string }, { readonly Addresses: readonly string[] }];
  /** An NS query to one server without recursion (dns.ts). */
  "dns:QueryNs": [NsQueryInput, NsQueryOutput];
}

export type OperationName = keyof Operations;
export type InputOf<K extends OperationName> = Operations[K][0];
export type OutputOf<K extends OperationName> = Operations[K][1];

/** The SDK package and client class of each service (loaded only when a call to it is made). */
export const SDK_CLIENTS: Readonly<Record<string, { readonly module: string; readonly client: string }>> = {
  sts: { module: "@aws-sdk/client-sts", client: "STSClient" },
  iam: { module: "@aws-sdk/client-iam", client: "IAMClient" },
  route53: { module: "@aws-sdk/client-route-53", client: "Route53Client" },
  ec2: { module: "@aws-sdk/client-ec2", client: "EC2Client" },
  rds: { module: "@aws-sdk/client-rds", client: "RDSClient" },
  docdb: { module: "@aws-sdk/client-docdb", client: "DocDBClient" },
  elasticache: { module: "@aws-sdk/client-elasticache", client: "ElastiCacheClient" },
  opensearch: { module: "@aws-sdk/client-opensearch", client: "OpenSearchClient" },
  mq: { module: "@aws-sdk/client-mq", client: "MqClient" },
  eks: { module: "@aws-sdk/client-eks", client: "EKSClient" },
  ssm: { module: "@aws-sdk/client-ssm", client: "SSMClient" },
  "service-quotas": { module: "@aws-sdk/client-service-quotas", client: "ServiceQuotasClient" },
  elbv2: { module: "@aws-sdk/client-elastic-load-balancing-v2", client: "ElasticLoadBalancingV2Client" },
  s3: { module: "@aws-sdk/client-s3", client: "S3Client" },
  secretsmanager: { module: "@aws-sdk/client-secrets-manager", client: "SecretsManagerClient" },
  "codestar-connections": { module: "@aws-sdk/client-codestar-connections", client: "CodeStarConnectionsClient" },
};

/**
 * The IAM action each operation needs (undefined: none — GetCallerIdentity needs no permission, DNS is not AWS). A test
 * proves by IAM simulation that every environment's plan role, which runs the preflight in CI, is allowed each one
 * (test/security/preflight-permissions.test.ts). Service prefixes differ from the CLI's service names for some:
 * elbv2 -> elasticloadbalancing, opensearch -> es, service-quotas -> servicequotas, docdb -> rds (DocumentDB's
 * management API is RDS's), s3 ListObjectsV2 -> s3:ListBucket (Service Authorization Reference).
 */
export const IAM_ACTIONS: Readonly<Record<OperationName, string | undefined>> = {
  "sts:GetCallerIdentity": undefined,
  "iam:GetRole": "iam:GetRole",
  "iam:ListRoles": "iam:ListRoles",
  "route53:ListHostedZonesByName": "route53:ListHostedZonesByName",
  "route53:GetHostedZone": "route53:GetHostedZone",
  "route53:ListResourceRecordSets": "route53:ListResourceRecordSets",
  "ec2:DescribeInstanceTypeOfferings": "ec2:DescribeInstanceTypeOfferings",
  "ec2:DescribeVpcs": "ec2:DescribeVpcs",
  "ec2:DescribeInternetGateways": "ec2:DescribeInternetGateways",
  "ec2:DescribeAddresses": "ec2:DescribeAddresses",
  "ec2:DescribeNatGateways": "ec2:DescribeNatGateways",
  "ec2:DescribeSubnets": "ec2:DescribeSubnets",
  "ec2:DescribeVpcEndpoints": "ec2:DescribeVpcEndpoints",
  "rds:DescribeDBEngineVersions": "rds:DescribeDBEngineVersions",
  "rds:DescribeOrderableDBInstanceOptions": "rds:DescribeOrderableDBInstanceOptions",
  "docdb:DescribeDBEngineVersions": "rds:DescribeDBEngineVersions",
  "docdb:DescribeOrderableDBInstanceOptions": "rds:DescribeOrderableDBInstanceOptions",
  "elasticache:DescribeCacheEngineVersions": "elasticache:DescribeCacheEngineVersions",
  "opensearch:ListVersions": "es:ListVersions",
  "opensearch:ListInstanceTypeDetails": "es:ListInstanceTypeDetails",
  "mq:DescribeBrokerEngineTypes": "mq:DescribeBrokerEngineTypes",
  "mq:DescribeBrokerInstanceOptions": "mq:DescribeBrokerInstanceOptions",
  "eks:DescribeClusterVersions": "eks:DescribeClusterVersions",
  "eks:DescribeAddonVersions": "eks:DescribeAddonVersions",
  "eks:ListClusters": "eks:ListClusters",
  "ssm:GetParameter": "ssm:GetParameter",
  "service-quotas:GetServiceQuota": "servicequotas:GetServiceQuota",
  "service-quotas:GetAWSDefaultServiceQuota": "servicequotas:GetAWSDefaultServiceQuota",
  "elbv2:DescribeLoadBalancers": "elasticloadbalancing:DescribeLoadBalancers",
  "elbv2:DescribeTags": "elasticloadbalancing:DescribeTags",
  "s3:ListObjectsV2": "s3:ListBucket",
  "s3:GetObject": "s3:GetObject",
  "secretsmanager:ListSecrets": "secretsmanager:ListSecrets",
  "codestar-connections:GetConnection": "codestar-connections:GetConnection",
  "dns:ResolveNs": undefined,
  "dns:Resolve4": undefined,
  "dns:QueryNs": undefined,
};

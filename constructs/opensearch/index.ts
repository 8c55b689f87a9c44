/**
 * An Elasticsearch-compatible search domain (Amazon OpenSearch Service) inside the VPC's data tier, reachable only
 * from the security groups passed in, over HTTPS.
 *
 * - Data nodes spread over `availabilityZones` zones (zone awareness), optional dedicated masters (production: 3 over
 *   3 zones), gp3 storage sized from configuration, engine version pinned.
 * - Encryption at rest with the data key, node-to-node encryption, HTTPS only with TLS 1.2+ (PFS policy).
 * - Fine-grained access control with an IAM master role (no internal user database, so no password anywhere). The
 *   domain access policy admits the master role and the roles tagged for this domain (`platform:opensearch-<name>`
 *   = `access`: Fluent Bit's and the workloads that use the service, environment's and tenants'), nothing else; what
 *   each may do inside OpenSearch is decided by the security plugin's roles and role mappings, which Jobs in the
 *   cluster maintain as the master role (constructs/search-security, constructs/search-role): the master role also
 *   trusts exactly that Job's service account through EKS Pod Identity.
 * - Index and search slow logs, application and audit logs published to encrypted log groups, with the log
 *   resource policy that lets OpenSearch write to exactly those groups for this domain.
 * - Auto-Tune and service software updates in a daily off-peak window.
 * - `prevent_destroy` in protected environments (OpenSearch has no final snapshot or deletion protection; automated
 *   hourly snapshots are kept by the service).
 *
 * Prerequisite: the account's OpenSearch service-linked role (AWSServiceRoleForAmazonOpenSearchService), which AWS
 * creates with the first VPC domain created from the console or `aws iam create-service-linked-role`.
 */
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { accountRootArn, partitionOf, servicePrincipal } from "../core/aws";
import { POD_IDENTITY_SERVICE_PRINCIPAL } from "../core/platform-contracts";
import { backupTag, DEFAULT_BACKUP_PLAN } from "../core/backup-tag";
import { pickDefined, publishConnection, serviceLogGroup, ServiceSecurityGroup, type DataServiceProps, type PublishedConnection } from "../data-access";
import { throwIfProblems } from "../data-access/problems";
import { openSearchHighAvailabilityProblems, openSearchProblems, parseTime, type OpenSearchSettings } from "./rules";
import { defaultVersion } from "../core/versions";

export * from "./rules";

export const OPENSEARCH_DEFAULTS = {
  // The version catalog's default (constructs/core/versions.ts).
  engineVersion: defaultVersion("opensearch"),
  instanceCount: 3,
  dedicatedMasters: { count: 3, instanceType: "m7g.large.search" },
  availabilityZones: 3,
  volume: { sizeGb: 100, iops: 3000, throughputMiBps: 125 },
  autoTune: true,
  offPeakWindowStart: "22:00",
} as const satisfies Omit<OpenSearchSettings, "instanceType">;

const OPENSEARCH_OPTIONAL_KEYS = [
  "engineVersion", "instanceCount", "dedicatedMasters", "availabilityZones", "volume", "autoTune", "offPeakWindowStart",
] as const;

/** HTTPS with TLS 1.2 or 1.3 and perfect forward secrecy only. */
export const TLS_SECURITY_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10";
/** Log types published to CloudWatch Logs, with their log group name component. */
export const OPENSEARCH_LOG_TYPES = {
  INDEX_SLOW_LOGS: "index-slow",
  SEARCH_SLOW_LOGS: "search-slow",
  ES_APPLICATION_LOGS: "application",
  AUDIT_LOGS: "audit",
} as const;
/** HTTP actions on the domain's indices and APIs granted by the access policy (fine-grained control decides further). */
export const HTTP_ACTIONS = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpPatch", "es:ESHttpDelete"];
export const HTTPS_PORT = 443;

export interface OpenSearchProps extends DataServiceProps {
  /** Data node type, e.g. "r6g.large.search" (see OPENSEARCH_INSTANCE_TYPES). */
  readonly instanceType: string;
  /**
   * Engine version (pinned).
   * @default the version catalog's default for opensearch ("OpenSearch_2.19", constructs/core/versions.ts)
   */
  readonly engineVersion?: string;
  /**
   * Data nodes (a multiple of `availabilityZones`).
   * @default 3
   */
  readonly instanceCount?: number;
  /**
   * Dedicated master nodes; count 0 turns them off.
   * @default { count: 3, instanceType: "m7g.large.search" }
   */
  readonly dedicatedMasters?: OpenSearchSettings["dedicatedMasters"];
  /**
   * Zones the data nodes are spread over (needs that many data subnets).
   * @default 3
   */
  readonly availabilityZones?: number;
  /**
   * gp3 volume per data node.
   * @default { sizeGb: 100, iops: 3000, throughputMiBps: 125 }
   */
  readonly volume?: OpenSearchSettings["volume"];
  /**
   * Auto-Tune, applied in the off-peak window.
   * @default true
   */
  readonly autoTune?: boolean;
  /**
   * Start of the daily off-peak window (UTC hh:mm).
   * @default "22:00"
   */
  readonly offPeakWindowStart?: string;
}

/**
 * Tag a role carries to be admitted by a search service's domain access policy (`aws:PrincipalTag`): only the stacks
 * (CI) tag roles, so the policy admits exactly the roles the platform created for the service.
 */
export function searchAccessTag(serviceName: string): { key: string; value: string } {
  return { key: `platform:opensearch-${serviceName}`, value: "access" };
}

/** Name of a search service's master role (mapped to the security plugin's all_access by AWS). */
export function openSearchMasterRoleName(naming: DataServiceProps["naming"], serviceName: string): string {
  return naming.name("iam-role", "search", serviceName, "admin");
}

/** Namespace of the Jobs that maintain the security plugin's roles and mappings (constructs/search-security). */
export const SEARCH_SECURITY_NAMESPACE = "search-security";

/** Service account of those Jobs for one search service, bound to its master role with EKS Pod Identity. */
export function searchAdminServiceAccount(serviceName: string): string {
  return `search-admin-${serviceName}`;
}

/** Domain name of a search service (at most 28 characters: shortened with a hash when longer). */
export function openSearchDomainName(naming: DataServiceProps["naming"], serviceName: string): string {
  return naming.name("opensearch-domain", serviceName);
}

export class OpenSearch extends Construct {
  readonly settings: OpenSearchSettings;
  readonly securityGroup: ServiceSecurityGroup;
  readonly domain: OpensearchDomain;
  /** IAM role mapped to the fine-grained access control master user. */
  readonly masterRole: IamRole;
  readonly connection: PublishedConnection;
  readonly connectionParameter: SsmParameter;

  constructor(scope: Construct, id: string, props: OpenSearchProps) {
    super(scope, id);
    const settings: OpenSearchSettings = { ...OPENSEARCH_DEFAULTS, ...pickDefined(props, OPENSEARCH_OPTIONAL_KEYS), instanceType: props.instanceType };
    const highAvailability = props.highAvailability ?? true;
    const subnetCount = props.dataTier.subnetIds.length;
    throwIfProblems(`OpenSearch ${props.name}`, [
      ...openSearchProblems(settings),
      ...(highAvailability ? openSearchHighAvailabilityProblems(settings) : []),
      ...(settings.availabilityZones > subnetCount
        ? [{ path: ["availabilityZones"], message: `needs as many data subnets; the data tier has ${subnetCount}`, value: settings.availabilityZones }]
        : []),
    ]);
    this.settings = settings;
    const { naming, name, account } = props;
    const protect = props.protectState ?? true;
    const domainName = openSearchDomainName(naming, name);
    const partition = partitionOf(account.region);
    const domainArn = `arn:${partition}:es:${account.region}:${account.accountId}:domain/${domainName}`;

    this.securityGroup = new ServiceSecurityGroup(this, "security-group", {
      naming,
      vpcId: props.dataTier.vpcId,
      component: `search-${name}`,
      description: `OpenSearch ${name}: HTTPS from workload security groups only`,
      ports: [HTTPS_PORT],
      sources: props.allowedSecurityGroupIds,
    });

    const masterTrust = new DataAwsIamPolicyDocument(this, "master-trust", {
      statement: [
        {
          // The account decides (through IAM policies) who may administer the domain.
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
        },
        {
          // The cluster's security Job (constructs/search-role) maintains roles and mappings as the master user.
          sid: "SecurityJobOfThisCluster",
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "Service", identifiers: [POD_IDENTITY_SERVICE_PRINCIPAL] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            { test: "StringEquals", variable: "aws:RequestTag/eks-cluster-name", values: [naming.clusterName] },
            { test: "StringEquals", variable: "aws:RequestTag/kubernetes-namespace", values: [SEARCH_SECURITY_NAMESPACE] },
            { test: "StringEquals", variable: "aws:RequestTag/kubernetes-service-account", values: [searchAdminServiceAccount(name)] },
          ],
        },
      ],
    });
    this.masterRole = new IamRole(this, "master-role", {
      name: openSearchMasterRoleName(naming, name),
      description: `Fine-grained access control master user of OpenSearch ${name}`,
      assumeRolePolicy: masterTrust.json,
    });

    const accessPolicy = new DataAwsIamPolicyDocument(this, "access-policy", {
      statement: [
        {
          sid: "MasterRole",
          actions: HTTP_ACTIONS,
          resources: [`${domainArn}/*`],
          principals: [{ type: "AWS", identifiers: [this.masterRole.arn] }],
        },
        {
          sid: "RolesTaggedForThisDomain",
          actions: HTTP_ACTIONS,
          resources: [`${domainArn}/*`],
          principals: [{ type: "AWS", identifiers: [accountRootArn(account)] }],
          condition: [{ test: "StringEquals", variable: `aws:PrincipalTag/${searchAccessTag(name).key}`, values: [searchAccessTag(name).value] }],
        },
      ],
    });

    const logGroups = Object.entries(OPENSEARCH_LOG_TYPES).map(([logType, component]) => ({
      logType,
      group: serviceLogGroup(this, `log-group-${component}`, naming.logGroup("opensearch", name, component), props.logging),
    }));
    const logPolicyDocument = new DataAwsIamPolicyDocument(this, "log-policy-document", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: logGroups.map(({ group }) => `${group.arn}:*`),
          principals: [{ type: "Service", identifiers: [servicePrincipal("es")] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [domainArn] },
          ],
        },
      ],
    });
    const logPolicy = new CloudwatchLogResourcePolicy(this, "log-policy", {
      policyName: naming.name("log-resource-policy", "opensearch", name),
      policyDocument: logPolicyDocument.json,
    });

    const zoneAware = settings.availabilityZones > 1;
    const masters = settings.dedicatedMasters.count > 0;
    const offPeak = parseTime(settings.offPeakWindowStart) as { hours: number; minutes: number };
    this.domain = new OpensearchDomain(this, "domain", {
      domainName,
      engineVersion: settings.engineVersion,
      clusterConfig: {
        instanceType: settings.instanceType,
        instanceCount: settings.instanceCount,
        zoneAwarenessEnabled: zoneAware,
        ...(zoneAware ? { zoneAwarenessConfig: { availabilityZoneCount: settings.availabilityZones } } : {}),
        dedicatedMasterEnabled: masters,
        ...(masters ? { dedicatedMasterCount: settings.dedicatedMasters.count, dedicatedMasterType: settings.dedicatedMasters.instanceType } : {}),
      },
      ebsOptions: {
        ebsEnabled: true,
        volumeType: "gp3",
        volumeSize: settings.volume.sizeGb,
        iops: settings.volume.iops,
        throughput: settings.volume.throughputMiBps,
      },
      vpcOptions: {
        subnetIds: props.dataTier.subnetIds.slice(0, settings.availabilityZones),
        securityGroupIds: [this.securityGroup.groupId],
      },
      encryptAtRest: { enabled: true, kmsKeyId: props.encryptionKey.arn },
      nodeToNodeEncryption: { enabled: true },
      domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: TLS_SECURITY_POLICY },
      advancedSecurityOptions: {
        enabled: true,
        anonymousAuthEnabled: false,
        internalUserDatabaseEnabled: false,
        masterUserOptions: { masterUserArn: this.masterRole.arn },
      },
      accessPolicies: accessPolicy.json,
      logPublishingOptions: logGroups.map(({ logType, group }) => ({ logType, cloudwatchLogGroupArn: group.arn, enabled: true })),
      autoTuneOptions: {
        desiredState: settings.autoTune ? "ENABLED" : "DISABLED",
        useOffPeakWindow: settings.autoTune,
        rollbackOnDisable: "NO_ROLLBACK",
      },
      offPeakWindowOptions: { enabled: true, offPeakWindow: { windowStartTime: offPeak } },
      softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
      tags: backupTag(props.backupPlan ?? DEFAULT_BACKUP_PLAN),
      lifecycle: { preventDestroy: protect },
      dependsOn: [logPolicy],
    });

    this.connection = {
      kind: "opensearch",
      name,
      host: this.domain.endpoint,
      port: HTTPS_PORT,
      tls: true,
      iamAuth: true,
    };
    this.connectionParameter = publishConnection(this, "connection", naming, this.connection);
  }
}

/**
 * Typed grants to IAM policy statements. Configuration names a bucket, a queue, a secrets prefix or a data service;
 * this module resolves them to ARNs from the same deterministic names the producing constructs use (bucket names
 * from constructs/object-storage, cache and search names from constructs/redis and constructs/opensearch), so no
 * ARN is ever written by hand and a grant cannot point at another environment's resources.
 */
import { dnsSuffixOf, partitionOf, servicePrincipal, type AccountScope } from "../core/aws";
import type { Naming } from "../core/naming";
import { secretName } from "../core/secrets";
import { bucketName } from "../object-storage";
import { HTTP_ACTIONS, openSearchDomainName } from "../opensearch";
import { redisConnectArns } from "../redis";
import type { WorkloadPolicyStatement } from "../workload-identity";
import type { GrantConfig } from "../../config/schema/products";
import type { EnvVar } from "./pod";

const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectVersion"];
const S3_WRITE_OBJECT = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];
const S3_READ_BUCKET = ["s3:ListBucket", "s3:GetBucketLocation"];
const S3_WRITE_BUCKET = ["s3:ListBucketMultipartUploads"];
const SQS_PUBLISH = ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"];
const SQS_CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"];
const SECRETS_READ = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];
const KMS_READ = ["kms:Decrypt"];
const KMS_WRITE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];

export interface GrantScope {
  readonly account: AccountScope;
  /** Naming scope of the buckets, queues and data services (the environment's, or a tenant's). */
  readonly resourcesNaming: Naming;
  /** Secrets Manager path of the workload's own secrets (`<prefix>/<namespace>/`, secretNamePrefix); secretsPrefix grants live under it. */
  readonly secretsPath: string;
  /** ARN of the data key that encrypts buckets and secrets (S3 and Secrets Manager decrypt through it). */
  readonly dataKeyArn: string;
}

/** A data service a workload uses, as far as IAM is concerned. */
export interface UsedService {
  readonly kind: string;
  /** Name of the service in configuration. */
  readonly name: string;
  /** A cache: the id of the instance's own user on it (constructs/cache-user), the only user it may connect as. */
  readonly cacheUserId?: string;
}

function arnPrefix(account: AccountScope, service: string): string {
  return `arn:${partitionOf(account.region)}:${service}:${account.region}:${account.accountId}`;
}

/** Name of an SQS queue declared in configuration. */
export function queueName(naming: Naming, name: string): string {
  return naming.name("sqs-queue", name);
}

/** The Secrets Manager name of a product secret: `<prefix>/<namespace>/<secret>` (constructs/core/secrets.ts). */
export function appSecretName(naming: Naming, namespace: string, secret: string): string {
  return secretName(naming, { kind: "namespace", namespace }, secret);
}

/** IAM statements of a workload's grants. */
export function grantStatements(grants: readonly GrantConfig[], scope: GrantScope): WorkloadPolicyStatement[] {
  const { account, resourcesNaming } = scope;
  const s3 = `arn:${partitionOf(account.region)}:s3:::`;
  const statements: WorkloadPolicyStatement[] = [];
  let kmsThroughS3: "read" | "write" | undefined;
  for (const grant of grants) {
    if (grant.bucket !== undefined) {
      const bucket = bucketName(resourcesNaming, grant.bucket);
      const write = grant.access === "read-write";
      statements.push(
        { actions: write ? [...S3_READ_BUCKET, ...S3_WRITE_BUCKET] : S3_READ_BUCKET, resources: [`${s3}${bucket}`] },
        { actions: write ? [...S3_READ_OBJECT, ...S3_WRITE_OBJECT] : S3_READ_OBJECT, resources: [`${s3}${bucket}/*`] },
      );
      kmsThroughS3 = write || kmsThroughS3 === "write" ? "write" : "read";
    } else if (grant.queue !== undefined) {
      const queue = `${arnPrefix(account, "sqs")}:${queueName(resourcesNaming, grant.queue)}`;
      statements.push({ actions: grant.access === "publish" ? SQS_PUBLISH : SQS_CONSUME, resources: [queue] });
    } else if (grant.secretsPrefix !== undefined) {
      statements.push({ actions: SECRETS_READ, resources: [`${arnPrefix(account, "secretsmanager")}:secret:${scope.secretsPath}${grant.secretsPrefix}*`] });
      statements.push({
        actions: KMS_READ,
        resources: [scope.dataKeyArn],
        condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("secretsmanager", account.region)] }],
      });
    }
  }
  if (kmsThroughS3) {
    // Buckets are encrypted with the data key (SSE-KMS): S3 uses it on the caller's behalf.
    statements.push({
      actions: kmsThroughS3 === "write" ? KMS_WRITE : KMS_READ,
      resources: [scope.dataKeyArn],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [servicePrincipal("s3", account.region)] }],
    });
  }
  return statements;
}

/** IAM statements for data services that authenticate with IAM (ElastiCache RBAC users, OpenSearch). */
export function serviceStatements(services: readonly UsedService[], scope: Pick<GrantScope, "account" | "resourcesNaming">): WorkloadPolicyStatement[] {
  const { account, resourcesNaming } = scope;
  const statements: WorkloadPolicyStatement[] = [];
  for (const service of services) {
    if (service.kind === "redis") {
      if (!service.cacheUserId) throw new Error(`serviceStatements: cache ${service.name} needs the instance's own user (cacheUserId)`);
      statements.push({ actions: ["elasticache:Connect"], resources: redisConnectArns(account, resourcesNaming, service.name, service.cacheUserId) });
    } else if (service.kind === "opensearch") {
      const domain = `${arnPrefix(account, "es")}:domain/${openSearchDomainName(resourcesNaming, service.name)}`;
      statements.push({ actions: [...HTTP_ACTIONS], resources: [`${domain}/*`] });
    }
  }
  return statements;
}

/** Whether a used data service needs the workload to hold AWS credentials. */
export function serviceNeedsAws(kind: string): boolean {
  return kind === "redis" || kind === "opensearch";
}

/** Environment variables carrying the physical names of granted resources (`grants[].env`). */
export function grantEnv(grants: readonly GrantConfig[], scope: Pick<GrantScope, "account" | "resourcesNaming">): EnvVar[] {
  const { account, resourcesNaming } = scope;
  return grants.flatMap((grant): EnvVar[] => {
    if (!grant.env) return [];
    if (grant.bucket !== undefined) return [{ name: grant.env, value: bucketName(resourcesNaming, grant.bucket) }];
    if (grant.queue !== undefined) {
      const host = `sqs.${account.region}.${dnsSuffixOf(account.region)}`;
      return [{ name: grant.env, value: `https://${host}/${account.accountId}/${queueName(resourcesNaming, grant.queue)}` }];
    }
    return [];
  });
}

/**
 * Every CloudFront log delivery of every bundled stack writes where its bucket's policy lets the log service write.
 *
 * AWS prepends `AWSLogs/<account-id>/CloudFront/` to a CloudFront delivery's `suffix_path` (aws_cloudwatch_log_delivery
 * in the terraform-provider-aws documentation); the object key checked here is built from that rule, independently of
 * the construct's own helper, and must be admitted by an Allow statement for delivery.logs.amazonaws.com (s3:PutObject)
 * in the synthesized policy of the destination bucket.
 */
import { describe, expect, it } from "vitest";
import { bundledSynth, resourcesOf, type Synthesized } from "../support/synth";

type Body = Record<string, unknown>;
const stacks = [...bundledSynth()].map(([name, text]) => [name, JSON.parse(text) as Synthesized] as const);

/** `${<type>.<name>.<attribute>}` -> [type, name]. */
function reference(value: unknown, type: string): string | undefined {
  const match = new RegExp(`^\\$\\{${type.replace(/\./g, "\\.")}\\.([^.}]+)\\.[a-z_]+\\}`).exec(String(value));
  return match?.[1];
}

function wildcard(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);
}

/** Allow statements of the bucket's policy (aws_s3_bucket_policy -> aws_iam_policy_document). */
function bucketStatements(json: Synthesized, bucket: string): Body[] {
  const policies = Object.values(resourcesOf(json, "aws_s3_bucket_policy")).filter((policy) => reference(policy.bucket, "aws_s3_bucket") === bucket);
  return policies.flatMap((policy) => {
    const document = reference(policy.policy, "data.aws_iam_policy_document");
    const body = document ? json.data?.aws_iam_policy_document?.[document] : undefined;
    return ((body?.statement as Body[] | undefined) ?? []).filter((statement) => (statement.effect ?? "Allow") === "Allow");
  });
}

/** Problems of one stack's CloudFront log deliveries (empty when every delivery's objects are admitted). */
function cloudFrontLogProblems(json: Synthesized): string[] {
  const account = String((json.provider?.aws?.[0]?.allowed_account_ids as string[] | undefined)?.[0]);
  const problems: string[] = [];
  for (const [id, delivery] of Object.entries(resourcesOf(json, "aws_cloudwatch_log_delivery"))) {
    const s3 = (delivery.s3_delivery_configuration as Body[] | undefined)?.[0];
    if (!s3) continue;
    const source = resourcesOf(json, "aws_cloudwatch_log_delivery_source")[reference(delivery.delivery_source_name, "aws_cloudwatch_log_delivery_source") ?? ""];
    if (!reference(source?.resource_arn, "aws_cloudfront_distribution")) {
      problems.push(`${id}: source is not a CloudFront distribution of this stack; its S3 key layout is not known to this check`);
      continue;
    }
    const destination = resourcesOf(json, "aws_cloudwatch_log_delivery_destination")[reference(delivery.delivery_destination_arn, "aws_cloudwatch_log_delivery_destination") ?? ""];
    const target = String((destination?.delivery_destination_configuration as Body[] | undefined)?.[0]?.destination_resource_arn);
    const bucket = reference(target, "aws_s3_bucket");
    if (!bucket) {
      problems.push(`${id}: destination ${target} is not a bucket of this stack`);
      continue;
    }
    const bucketArn = `\${aws_s3_bucket.${bucket}.arn}`;
    const object = `${bucketArn}/AWSLogs/${account}/CloudFront/${String(s3.suffix_path)}/2026/12/06/E2EXAMPLE.2026-12-06-04.abcd1234.gz`;
    const admitted = bucketStatements(json, bucket).some((statement) => {
      const principals = (statement.principals as Body[] | undefined) ?? [];
      const fromLogs = principals.some((principal) => principal.type === "Service" && (principal.identifiers as string[]).includes("delivery.logs.amazonaws.com"));
      const puts = ((statement.actions as string[] | undefined) ?? []).some((action) => wildcard(action, "s3:PutObject"));
      return fromLogs && puts && ((statement.resources as string[] | undefined) ?? []).some((resource) => wildcard(resource, object));
    });
    if (!admitted) problems.push(`${id}: CloudFront writes ${object.replace(bucketArn, bucket)} but the bucket policy admits delivery.logs.amazonaws.com nowhere there`);
  }
  return problems;
}

describe("CloudFront access logs of every bundled stack", () => {
  it("the bundled configuration has distributions with log delivery to check", () => {
    const deliveries = stacks.flatMap(([, json]) => Object.keys(resourcesOf(json, "aws_cloudwatch_log_delivery")));
    expect(deliveries.length).toBeGreaterThanOrEqual(2); // prod and staging (development keeps no access logs)
  });

  it.each(stacks.filter(([, json]) => Object.keys(resourcesOf(json, "aws_cloudwatch_log_delivery")).length > 0))("%s: every delivery's log objects are admitted by its bucket's policy", (_, json) => {
    expect(cloudFrontLogProblems(json)).toEqual([]);
  });

  it("flags a delivery whose bucket policy admits another path (the former cloudfront/<name>/* grant)", () => {
    const [, prod] = stacks.find(([name]) => name === "prod-infra") ?? ["", {}];
    const broken = JSON.parse(JSON.stringify(prod).replaceAll("/AWSLogs/111111111111/CloudFront/noor-assets/*", "/cloudfront/noor-assets/*")) as Synthesized;
    expect(cloudFrontLogProblems(broken)).toEqual([expect.stringMatching(/CloudFront writes \S+\/AWSLogs\/111111111111\/CloudFront\/noor-assets\/\S+ but the bucket policy admits delivery\.logs\.amazonaws\.com nowhere there/)]);
  });
});

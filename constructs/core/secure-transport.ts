/**
 * Resource-policy statements that refuse requests made without TLS, shared by every bucket, queue and topic
 * policy the platform writes (one definition, so they cannot drift apart).
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

const EVERYONE = [{ type: "*", identifiers: ["*"] }];

/** Denies `actions` on `resources` to any request not made over TLS (aws:SecureTransport false). */
export function denyInsecureTransport(actions: readonly string[], resources: readonly string[]): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    actions: [...actions],
    resources: [...resources],
    principals: EVERYONE,
    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}

/** A bucket reachable only over TLS 1.2 or newer: denies plain HTTP and older TLS versions for every S3 action. */
export function s3TlsOnlyStatements(bucketArn: string): DataAwsIamPolicyDocumentStatement[] {
  const resources = [bucketArn, `${bucketArn}/*`];
  return [
    denyInsecureTransport(["s3:*"], resources),
    {
      sid: "DenyOutdatedTls",
      effect: "Deny",
      actions: ["s3:*"],
      resources,
      principals: EVERYONE,
      condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
    },
  ];
}

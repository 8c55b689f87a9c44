import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Fn } from "cdktf";
import type { Construct } from "constructs";
import { ACCOUNT, type RuleCase } from "./support";

const EC2_TRUST: DataAwsIamPolicyDocumentStatement = { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] };
const OTHER_ACCOUNT = "210987654321";

/** A role (trusting `trust`) with one inline policy of `statements`, optionally with a permissions boundary. */
function role(scope: Construct, statements: DataAwsIamPolicyDocumentStatement[], options: { trust?: DataAwsIamPolicyDocumentStatement; boundary?: boolean; name?: string } = {}): IamRole {
  const trust = new DataAwsIamPolicyDocument(scope, "trust", { statement: [options.trust ?? EC2_TRUST] });
  const created = new IamRole(scope, "role", {
    name: options.name ?? "acme-prod-app",
    assumeRolePolicy: trust.json,
    ...(options.boundary ? { permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/acme-boundary` } : {}),
  });
  if (statements.length > 0) {
    const document = new DataAwsIamPolicyDocument(scope, "permissions", { statement: statements });
    new IamRolePolicy(scope, "policy", { role: created.id, policy: document.json });
  }
  return created;
}

function attach(scope: Construct, target: IamRole, policyArn: string, id = "attached"): void {
  new IamRolePolicyAttachment(scope, id, { role: target.name, policyArn });
}

function queuePolicy(scope: Construct, statement: DataAwsIamPolicyDocumentStatement): void {
  const queue = new SqsQueue(scope, "queue", { name: "acme-prod-jobs" });
  const document = new DataAwsIamPolicyDocument(scope, "queue-policy-document", { statement: [{ ...statement, resources: [queue.arn] }] });
  new SqsQueuePolicy(scope, "queue-policy", { queueUrl: queue.url, policy: document.json });
}

export const IAM_ACCESS_CASES: readonly RuleCase[] = [
  {
    rule: "IAM-DOCUMENT-UNREADABLE",
    name: "jsonencode and unresolvable references",
    compliant: (s) => role(s, [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-prod-uploads/*"] }]),
    violating: (s) => {
      const created = new IamRole(s, "role", {
        name: "acme-prod-app",
        assumeRolePolicy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }] }),
      });
      const document = new DataAwsIamPolicyDocument(s, "permissions", { statement: [{ actions: ["s3:GetObject"], resources: ["${var.bucket_arn}/*"] }] });
      new IamRolePolicy(s, "policy", { role: created.id, policy: document.json });
    },
    expect: [/assume_role_policy cannot be read offline: it is the Terraform expression/, /holds values that cannot be resolved offline: \$\{var\.bucket_arn\}\/\*/],
  },
  {
    rule: "IAM-DOCUMENT-UNREADABLE",
    name: "statements generated at plan time, computed role names, policies of other stacks' roles",
    compliant: (s) => {
      const source = new DataAwsIamPolicyDocument(s, "source", { statement: [{ sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-prod-uploads/*"] }] });
      const document = new DataAwsIamPolicyDocument(s, "merged", { sourcePolicyDocuments: [source.json], statement: [{ sid: "List", actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::acme-prod-uploads"] }] });
      const trust = new DataAwsIamPolicyDocument(s, "trust", { statement: [EC2_TRUST] });
      const created = new IamRole(s, "role", { name: "acme-prod-app", assumeRolePolicy: trust.json });
      new IamRolePolicy(s, "policy", { role: created.id, policy: document.json });
    },
    violating: (s) => {
      const generated = new DataAwsIamPolicyDocument(s, "generated", {});
      generated.addOverride("statement", "${var.statements}");
      const trust = new DataAwsIamPolicyDocument(s, "trust", { statement: [EC2_TRUST] });
      const created = new IamRole(s, "role", { namePrefix: "acme-prod-", assumeRolePolicy: trust.json });
      new IamRolePolicy(s, "policy", { role: created.id, policy: generated.json });
      const other = new DataAwsIamPolicyDocument(s, "other", { statement: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-prod-uploads/*"] }] });
      new IamRolePolicy(s, "other-policy", { role: "acme-prod-someone-else", policy: other.json });
    },
    expect: [/takes its statements from an expression/, /name \(and so its ARN\) is computed at plan time/, /is not a role of this stack/],
  },
  {
    rule: "IAM-PRIVESC-NO-BOUNDARY",
    name: "PassRole and service creation, policy versions",
    compliant: (s) =>
      role(s, [
        { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/acme-prod-node`] },
        { actions: ["ec2:RunInstances", "ec2:CreateTags"], resources: ["*"] },
      ]),
    violating: (s) =>
      role(s, [
        { actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/*`] },
        { actions: ["ec2:RunInstances"], resources: ["*"] },
        { actions: ["iam:CreatePolicyVersion"], resources: [`arn:aws:iam::${ACCOUNT}:policy/acme-*`] },
      ]),
    expect: [/role acme-prod-app has no permissions boundary and can escalate: iam:CreatePolicyVersion .*Rhino Security Labs #1/, /iam:PassRole \+ ec2:RunInstances/],
  },
  {
    rule: "IAM-PRIVESC-NO-BOUNDARY",
    name: "changing itself, the documented mitigations, a boundary",
    compliant: (s) => {
      role(s, [
        { actions: ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreateRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/acme-*`], condition: [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [`arn:aws:iam::${ACCOUNT}:policy/acme-boundary`] }] },
        { actions: ["iam:PassRole"], resources: ["*"], condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["eks.amazonaws.com"] }] },
        { actions: ["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction"], resources: ["*"] },
      ]);
    },
    violating: (s) => {
      const created = role(s, [{ actions: ["iam:PutRolePolicy"], resources: [`arn:aws:iam::${ACCOUNT}:role/acme-prod-app`] }]);
      attach(s, created, "arn:aws:iam::aws:policy/PowerUserAccess");
      const passing = new DataAwsIamPolicyDocument(s, "passing", { statement: [{ actions: ["iam:PassRole"], resources: ["*"], condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["lambda.amazonaws.com"] }] }] });
      new IamRolePolicy(s, "passing-policy", { role: created.id, policy: passing.json });
    },
    expect: [/iam:PutRolePolicy \(writes any inline policy into a role/, /iam:PassRole \+ lambda:CreateFunction \+ lambda:InvokeFunction/],
  },
  {
    rule: "IAM-PRIVESC-NO-BOUNDARY",
    name: "a role with a boundary may hold the actions",
    compliant: (s) => role(s, [{ actions: ["iam:CreatePolicyVersion", "iam:AttachRolePolicy"], resources: ["*"] }], { boundary: true }),
    violating: (s) => role(s, [{ actions: ["iam:CreatePolicyVersion", "iam:AttachRolePolicy"], resources: ["*"] }]),
    expect: /can escalate: iam:CreatePolicyVersion .*iam:AttachRolePolicy/,
  },
  {
    rule: "IAM-ADMIN-EQUIVALENT",
    compliant: (s) => attach(s, role(s, []), "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    violating: (s) => {
      const created = role(s, []);
      attach(s, created, "arn:aws:iam::aws:policy/IAMFullAccess");
      attach(s, created, "arn:aws:iam::aws:policy/PowerUserAccess", "power");
      attach(s, created, "arn:aws:iam::aws:policy/AWSLambda_FullAccess", "lambda");
    },
    expect: [/attaches IAMFullAccess, which lets the holder escalate: CreatePolicyVersion/, /attaches PowerUserAccess, which allows every action except iam:\*, organizations:\*, account:\*/, /attaches AWSLambda_FullAccess, which lets the holder escalate: PassRole\+Lambda/],
  },
  {
    rule: "IAM-ADMIN-EQUIVALENT",
    name: "customer-managed policies, unknown AWS-managed policies, AWS service roles",
    compliant: (s) => {
      const backup = role(s, [], { trust: { actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["backup.amazonaws.com"] }] }, name: "acme-prod-backup" });
      attach(s, backup, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup");
      const policy = new IamPolicy(s, "managed", { name: "acme-prod-read", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-prod-uploads/*" }] }) });
      attach(s, backup, policy.arn, "own");
    },
    violating: (s) => {
      const created = role(s, [], { trust: { actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] } });
      attach(s, created, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup");
      attach(s, created, "arn:aws:iam::aws:policy/AmazonMadeUpFullAccess", "unknown");
      const policy = new IamPolicy(s, "managed", { name: "acme-prod-iam", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }) });
      attach(s, created, policy.arn, "own");
    },
    expect: [/attaches service-role\/AWSBackupServiceRolePolicyForBackup, which lets the holder escalate: SSMSendCommand/, /AmazonMadeUpFullAccess, an AWS-managed policy the pack does not know/, /attaches acme-prod-iam \(fixture\/managed\), which lets the holder escalate/],
  },
  {
    rule: "IAM-CROSS-ACCOUNT-TRUST",
    compliant: (s) =>
      role(s, [], {
        trust: {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${OTHER_ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:role/acme-ci-deploy`] }],
          condition: [{ test: "StringEquals", variable: "sts:ExternalId", values: ["acme-7f3c"] }],
        },
      }),
    violating: (s) => role(s, [], { trust: { actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [OTHER_ACCOUNT] }] } }),
    expect: /role acme-prod-app trusts account\(s\) 210987654321 without an sts:ExternalId or aws:PrincipalOrgID/,
  },
  {
    rule: "IAM-CROSS-ACCOUNT-TRUST",
    name: "the organization",
    compliant: (s) =>
      role(s, [], {
        trust: {
          actions: ["sts:AssumeRole", "sts:TagSession"],
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${OTHER_ACCOUNT}:role/acme-ci-deploy`] }],
          condition: [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-exampleorg"] }],
        },
      }),
    violating: (s) =>
      role(s, [], {
        trust: {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${OTHER_ACCOUNT}:role/acme-ci-deploy`] }],
          condition: [{ test: "StringLike", variable: "aws:PrincipalOrgID", values: ["*"] }],
        },
      }),
    expect: /trusts account\(s\) 210987654321/,
  },
  {
    rule: "RESOURCE-POLICY-NO-PUBLIC",
    compliant: (s) => {
      const topic = new SnsTopic(s, "topic", { name: "acme-prod-alerts" });
      const document = new DataAwsIamPolicyDocument(s, "topic-policy-document", {
        statement: [{ actions: ["sns:Publish"], resources: [topic.arn], principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }] }, { actions: ["sns:Publish"], resources: [topic.arn], principals: [{ type: "AWS", identifiers: ["*"] }], condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] }] }],
      });
      new SnsTopicPolicy(s, "topic-policy", { arn: topic.arn, policy: document.json });
    },
    violating: (s) => {
      const topic = new SnsTopic(s, "topic", { name: "acme-prod-alerts" });
      const document = new DataAwsIamPolicyDocument(s, "topic-policy-document", { statement: [{ sid: "Anyone", actions: ["sns:Publish"], resources: [topic.arn], principals: [{ type: "AWS", identifiers: ["*"] }] }] });
      new SnsTopicPolicy(s, "topic-policy", { arn: topic.arn, policy: document.json });
    },
    expect: /the topic policy statement Anyone allows sns:Publish to "\*" without a restricting condition/,
  },
  {
    rule: "RESOURCE-POLICY-NO-PUBLIC",
    name: "an aws:SourceIp condition that covers the internet restricts nothing",
    compliant: (s) => queuePolicy(s, { actions: ["sqs:SendMessage"], principals: [{ type: "*", identifiers: ["*"] }], condition: [{ test: "IpAddress", variable: "aws:SourceIp", values: ["203.0.113.0/24"] }] }),
    violating: (s) => queuePolicy(s, { actions: ["sqs:SendMessage"], principals: [{ type: "*", identifiers: ["*"] }], condition: [{ test: "IpAddress", variable: "aws:SourceIp", values: ["0.0.0.0/1", "128.0.0.0/1"] }] }),
    expect: /the queue policy allows sqs:SendMessage to "\*" without a restricting condition/,
  },
];

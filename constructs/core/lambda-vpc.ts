/**
 * What a Lambda function in a VPC needs on its execution role: the network interfaces Lambda creates for it in its
 * subnets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html, "Required IAM permissions").
 *
 * Not the AWS-managed `AWSLambdaVPCAccessExecutionRole`: besides these actions it grants `logs:CreateLogGroup`,
 * `logs:CreateLogStream` and `logs:PutLogEvents` on every resource, which would let a rotation function (that reads
 * database or broker credentials) create unencrypted log groups and write into any log group of the account, audit
 * logs included. The functions write only to their own log group (a statement of their own).
 *
 * - DescribeNetworkInterfaces works only when allowed on all resources (the page above), DescribeSubnets has no
 *   resource either: `*`, in the function's region only.
 * - Creating, deleting and re-addressing interfaces: the account's EC2 resources in the region, the form the page gives
 *   for DeleteNetworkInterface (`arn:aws:ec2:<region>:<account>:*\/*`); CreateNetworkInterface authorizes the
 *   interface, the subnet and the security group, all of that form.
 */
import { partitionOf, type AccountScope } from "./aws";

/** Actions of the two statements, in order. */
export const LAMBDA_VPC_DESCRIBE_ACTIONS = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"] as const;
export const LAMBDA_VPC_INTERFACE_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"] as const;

/** The statements (`data.aws_iam_policy_document` statements) of a function in a VPC of `account`. */
export function lambdaVpcNetworkStatements(account: AccountScope): { sid: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] }[] {
  return [
    {
      sid: "DescribeTheNetwork",
      actions: [...LAMBDA_VPC_DESCRIBE_ACTIONS],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: [account.region] }],
    },
    {
      sid: "ManageItsNetworkInterfaces",
      actions: [...LAMBDA_VPC_INTERFACE_ACTIONS],
      resources: [`arn:${partitionOf(account.region)}:ec2:${account.region}:${account.accountId}:*/*`],
    },
  ];
}

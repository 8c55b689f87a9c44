/**
 * The trust policy statement of a Lambda function's execution role: Lambda may assume it only for functions of this
 * account (`aws:SourceAccount`, the confused-deputy guard AWS recommends for service principals).
 */
import { servicePrincipal } from "./aws";

/** The role's trust statement (a `data.aws_iam_policy_document` statement). */
export function lambdaTrustStatement(accountId: string): { actions: string[]; principals: { type: string; identifiers: string[] }[]; condition: { test: string; variable: string; values: string[] }[] } {
  return {
    actions: ["sts:AssumeRole"],
    principals: [{ type: "Service", identifiers: [servicePrincipal("lambda")] }],
    condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
  };
}

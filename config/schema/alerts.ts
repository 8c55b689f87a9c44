/**
 * `alerts` section of an environment file: who receives the environment's alerts. Every alert source of the
 * platform (backup job failures today, CloudWatch alarms and EventBridge rules of other features) publishes to
 * one encrypted SNS topic per environment (constructs/alerts-topic); this section lists its subscriptions.
 */
import { z } from "zod";
import { duplicatesOf } from "./primitives";

export const ALERT_PROTOCOLS = ["email", "https", "sqs", "lambda"] as const;
export type AlertProtocol = (typeof ALERT_PROTOCOLS)[number];

/** What an endpoint of each protocol looks like (plain http is not offered: alerts leave AWS only over TLS). */
export const ALERT_ENDPOINT_PATTERNS: Readonly<Record<AlertProtocol, { pattern: RegExp; example: string }>> = {
  email: { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, example: "oncall@example.com" },
  https: { pattern: /^https:\/\/[^\s/]+(\/\S*)?$/, example: "https://events.pagerduty.com/integration/<key>/enqueue" },
  sqs: { pattern: /^arn:aws(-cn|-us-gov)?:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/, example: "arn:aws:sqs:eu-west-1:123456789012:alerts" },
  lambda: { pattern: /^arn:aws(-cn|-us-gov)?:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}(:[\w-]+)?$/, example: "arn:aws:lambda:eu-west-1:123456789012:function:notify" },
};

export const AlertSubscriptionSchema = z
  .strictObject({
    protocol: z.enum(ALERT_PROTOCOLS, { error: `expected one of ${ALERT_PROTOCOLS.join(", ")} (plain http is not allowed)` }),
    /** Address for the protocol: an email address, an https URL, an SQS queue ARN or a Lambda function ARN. */
    endpoint: z.string().min(1),
  })
  .superRefine((subscription, ctx) => {
    const rule = ALERT_ENDPOINT_PATTERNS[subscription.protocol];
    if (!rule.pattern.test(subscription.endpoint)) {
      ctx.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: `not a valid ${subscription.protocol} endpoint; expected something like ${rule.example}`,
        input: subscription.endpoint,
      });
    }
  });

export const AlertsSchema = z.strictObject({
  subscriptions: z.array(AlertSubscriptionSchema).superRefine((subscriptions, ctx) => {
    const dupes = duplicatesOf(subscriptions.map((subscription) => `${subscription.protocol}:${subscription.endpoint}`));
    if (dupes.length > 0) ctx.addIssue({ code: "custom", message: `duplicate subscriptions: ${dupes.join(", ")}`, input: dupes });
  }),
});

export type AlertsConfig = z.output<typeof AlertsSchema>;
export type AlertSubscriptionConfig = z.output<typeof AlertSubscriptionSchema>;

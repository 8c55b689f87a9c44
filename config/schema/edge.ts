/**
 * `edge:` of an environment file: the public edge — for every declared domain a hosted zone (created or looked
 * up) and a regional wildcard certificate (`*.<domain>` and `<domain>`) for the load balancer; WAF web ACLs; and
 * CloudFront distributions serving buckets on a subdomain. Declaring a domain turns the edge on; everything else
 * has profile defaults (config/defaults.ts).
 *
 *   edge:
 *     domains:
 *       noor: { name: noor.example.com, hostedZone: create }
 *     waf:
 *       rateLimits: [{ name: api, requestsPerSecond: 10, windowSeconds: 60, pathPrefix: /api }]
 *       managedRuleGroups: [AWSManagedRulesCommonRuleSet, { name: AWSManagedRulesSQLiRuleSet, excludedRules: [SQLi_COOKIE] }]
 *     cdn:
 *       noor-assets: { domain: noor, subdomain: cdn, bucket: noor-uploads }
 */
import { z } from "zod";
import { ORIGIN_PATH, PRICE_CLASSES } from "../../constructs/cdn/rules";
import type { SettingProblem } from "../../constructs/data-access/problems";
import { DOMAIN_NAME, HOSTED_ZONE_MODES } from "../../constructs/dns/rules";
import { MANAGED_RULE_GROUPS, webAclProblems, type ManagedRuleGroupEntry } from "../../constructs/waf/rules";
import { layer } from "../layering";
import { dnsLabel, uniqueList } from "./primitives";

const domainName = z
  .string({ error: "expected a DNS name such as acme.example.com" })
  .regex(DOMAIN_NAME, { error: "expected a lowercase DNS name such as acme.example.com" });

const DomainEntry = z.strictObject({
  /** The DNS name, e.g. noor.example.com. */
  name: domainName,
  /** "create" the public hosted zone, or "lookup" an existing one. */
  hostedZone: z.enum(HOSTED_ZONE_MODES),
  /** Names beyond `*.<name>` and `<name>` the certificate covers (inside the domain), e.g. *.tenants.<name>. */
  subjectAlternativeNames: uniqueList(z.string(), "subject alternative names"),
});
const DomainDefaults = DomainEntry.omit({ name: true });

const CdnEntry = z.strictObject({
  /** Key of the domain under edge.domains the distribution is served under. */
  domain: z.string(),
  /** Host name under the domain: `<subdomain>.<domain>` (e.g. cdn). */
  subdomain: dnsLabel(63, "a subdomain"),
  /** Bucket served (a name under storage.buckets). */
  bucket: z.string(),
  /** Path inside the bucket served as the root, e.g. /public. */
  originPath: z.string().optional(),
  /** PriceClass_100, PriceClass_200 or PriceClass_All. */
  priceClass: z.enum(PRICE_CLASSES),
  /** Object returned for "/" (static sites). */
  defaultRootObject: z.string().optional(),
  /** Serve the root object for unknown paths (client-side routed apps). */
  singlePageApp: z.boolean(),
  /** Attach the CloudFront web ACL (requires edge.waf.cloudfront). */
  waf: z.boolean(),
});
const CdnDefaults = CdnEntry.omit({ domain: true, subdomain: true, bucket: true });

/**
 * A managed group with its tuning. Names, rule names and actions are checked by webAclProblems (one implementation
 * with the construct), which reports each at its own key.
 */
const ManagedRuleGroupSchema = z.strictObject({
  /** One of the AWS managed rule groups (MANAGED_RULE_GROUPS). */
  name: z.string(),
  /** Rule name -> the action it takes instead of its own: allow, block, count, captcha or challenge. */
  ruleActionOverrides: z.record(z.string(), z.string()).optional(),
  /** Rules that only count (and label) requests instead of acting on them (an override to count). */
  excludedRules: uniqueList(z.string(), "rules").optional(),
  /** Requests whose path starts with one of these are not evaluated by the group (a scope-down statement). */
  excludedPathPrefixes: uniqueList(z.string(), "path prefixes").optional(),
});

const WafSchema = z.strictObject({
  /** A regional web ACL for the load balancers (its ARN is published for the ingress annotation). */
  regional: z.boolean(),
  /** A CloudFront web ACL (us-east-1) for the distributions. */
  cloudfront: z.boolean(),
  /**
   * AWS managed rule groups, evaluated after the rate limits: a name, or { name, ruleActionOverrides, excludedRules,
   * excludedPathPrefixes }. SQL injection protection is AWSManagedRulesSQLiRuleSet (on by default in production and
   * staging). Their capacity must fit a web ACL's 1,500 WCUs.
   */
  managedRuleGroups: z
    // Checked by webAclProblems below (names, rules, actions); see managedRuleGroupsOf for the type the construct takes.
    .array(z.union([z.string(), ManagedRuleGroupSchema], { error: `expected a managed rule group name (${MANAGED_RULE_GROUPS.join(", ")}) or { name, ruleActionOverrides, excludedRules, excludedPathPrefixes }` })),
  /**
   * Per-client-IP rate limits, per second or per minute averaged over a WAF window of 60, 120, 300 or 600 s (WAF needs
   * 10 to 2e9 whole requests per window), e.g. { name: api, requestsPerSecond: 10, windowSeconds: 60, pathPrefix: /api }
   * or { name: ai, requestsPerMinute: 2, windowSeconds: 300, pathPrefix: /api/ai }.
   */
  rateLimits: z.array(
    z.strictObject({
      name: z.string(),
      requestsPerSecond: z.number().optional(),
      requestsPerMinute: z.number().optional(),
      windowSeconds: z.int(),
      pathPrefix: z.string().optional(),
    }),
  ),
});

const EdgeFields = {
  waf: WafSchema,
  /** Settings every domain and distribution starts from (profile defaults). */
  defaults: z.strictObject({ domain: DomainDefaults, cdn: CdnDefaults }),
};

const entryName = (what: string) => dnsLabel(24, what);

function addProblems(ctx: z.RefinementCtx, base: readonly (string | number)[], problems: readonly SettingProblem[]): void {
  for (const problem of problems) ctx.addIssue({ code: "custom", path: [...base, ...problem.path], message: problem.message, input: problem.value });
}

function merged<T>(defaults: unknown, entries: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).map(([name, entry]) => [name, layer(defaults, entry) as T]));
}

export const EdgeSchema = z
  .strictObject({
    ...EdgeFields,
    /** Public domains by key; each gets a hosted zone and a regional wildcard certificate. */
    domains: z.record(entryName("a domain key"), DomainEntry.partial().required({ name: true })),
    /** CloudFront distributions by name. */
    cdn: z.record(entryName("a distribution name"), CdnEntry.partial().required({ domain: true, subdomain: true, bucket: true })),
  })
  .transform((edge) => ({
    ...edge,
    domains: merged<z.output<typeof DomainEntry>>(edge.defaults.domain, edge.domains),
    cdn: merged<z.output<typeof CdnEntry>>(edge.defaults.cdn, edge.cdn),
  }))
  .pipe(
    z
      .strictObject({ ...EdgeFields, domains: z.record(z.string(), DomainEntry), cdn: z.record(z.string(), CdnEntry) })
      .superRefine((edge, ctx) => {
        addProblems(ctx, ["waf"], webAclProblems({ ...edge.waf, managedRuleGroups: managedRuleGroupsOf(edge.waf) }));
        const names = new Map<string, string>();
        for (const [key, domain] of Object.entries(edge.domains)) {
          const other = names.get(domain.name);
          if (other) ctx.addIssue({ code: "custom", path: ["domains", key, "name"], message: `already declared as edge.domains.${other}`, input: domain.name });
          names.set(domain.name, key);
          domain.subjectAlternativeNames.forEach((name, index) => {
            const bare = name.replace(/^\*\./, "");
            if (!DOMAIN_NAME.test(bare) || (bare !== domain.name && !bare.endsWith(`.${domain.name}`))) {
              ctx.addIssue({ code: "custom", path: ["domains", key, "subjectAlternativeNames", index], message: `must be a DNS name inside ${domain.name} (a leading "*." is allowed)`, input: name });
            } else if (name === domain.name || name === `*.${domain.name}`) {
              ctx.addIssue({ code: "custom", path: ["domains", key, "subjectAlternativeNames", index], message: `${name} is always on the certificate; remove it`, input: name });
            }
          });
        }
        const hosts = new Map<string, string>();
        for (const [name, cdn] of Object.entries(edge.cdn)) {
          const domain = edge.domains[cdn.domain];
          if (!domain) {
            ctx.addIssue({
              code: "custom",
              path: ["cdn", name, "domain"],
              message: `no domain "${cdn.domain}" under edge.domains; declared: ${Object.keys(edge.domains).join(", ") || "(none)"}`,
              input: cdn.domain,
            });
          } else {
            const host = `${cdn.subdomain}.${domain.name}`;
            const other = hosts.get(host);
            if (other) ctx.addIssue({ code: "custom", path: ["cdn", name, "subdomain"], message: `${host} is already served by distribution ${other}`, input: cdn.subdomain });
            hosts.set(host, name);
          }
          if (cdn.waf && !edge.waf.cloudfront) {
            ctx.addIssue({ code: "custom", path: ["cdn", name, "waf"], message: "needs edge.waf.cloudfront: true (the CloudFront web ACL), or set waf: false", input: cdn.waf });
          }
          if (cdn.singlePageApp && !cdn.defaultRootObject) {
            ctx.addIssue({ code: "custom", path: ["cdn", name, "singlePageApp"], message: "needs defaultRootObject (e.g. index.html) to serve for unknown paths", input: cdn.singlePageApp });
          }
          if (cdn.originPath !== undefined && !ORIGIN_PATH.test(cdn.originPath)) {
            ctx.addIssue({ code: "custom", path: ["cdn", name, "originPath"], message: "must look like /public (no trailing slash)", input: cdn.originPath });
          }
        }
      }),
  );

export type EdgeConfig = z.output<typeof EdgeSchema>;

/** The managed rule groups of a validated `edge.waf` (the schema checks them with webAclProblems). */
export function managedRuleGroupsOf(waf: { readonly managedRuleGroups: readonly unknown[] }): ManagedRuleGroupEntry[] {
  return waf.managedRuleGroups as ManagedRuleGroupEntry[];
}
export type EdgeDomainConfig = z.output<typeof DomainEntry>;
export type CdnConfig = z.output<typeof CdnEntry>;

/** Environment-level rule: every distribution serves a declared bucket. */
export function edgeEnvironmentIssues(edge: EdgeConfig, bucketNames: readonly string[]): { path: (string | number)[]; message: string; input?: unknown }[] {
  return Object.entries(edge.cdn)
    .filter(([, cdn]) => !bucketNames.includes(cdn.bucket))
    .map(([name, cdn]) => ({
      path: ["edge", "cdn", name, "bucket"],
      message: `no bucket "${cdn.bucket}" under storage.buckets; declared: ${bucketNames.join(", ") || "(none)"}`,
      input: cdn.bucket,
    }));
}

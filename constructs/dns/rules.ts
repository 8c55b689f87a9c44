/** DNS names and hosted-zone modes (no provider imports: the configuration schema uses them). */

export const HOSTED_ZONE_MODES = ["create", "lookup"] as const;
export type HostedZoneMode = (typeof HOSTED_ZONE_MODES)[number];

/** A DNS name: labels of letters, digits and '-', at least two labels, lowercase. */
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

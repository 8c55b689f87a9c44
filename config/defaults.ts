/**
 * Built-in defaults: the first configuration layer. Layering is explicit and ordered:
 *
 *   1. built-in defaults for the environment's profile (this file)
 *   2. the environment file `environments/<name>.yaml`
 *   3. (tenants) the tenant file `tenants/<id>.yaml`, for the keys a tenant may override
 *
 * Objects merge key by key; a later layer's scalar or list replaces the earlier one whole (lists are never
 * concatenated, so an environment can shorten a default list). The merged result is validated by the schema.
 */
import type { z } from "zod";
import type { EnvironmentSchema, Profile } from "./schema/environment";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** What a defaults layer may set: any part of an environment file except its identity. */
export type EnvironmentDefaults = DeepPartial<Omit<z.input<typeof EnvironmentSchema>, "name" | "profile" | "account">>;

const COMMON: EnvironmentDefaults = {
  tags: {},
  network: {
    azCount: 3,
    // /16 VPC -> /19 private (8k addresses per AZ for pods), /22 public, /22 data.
    subnetNewBits: { public: 6, private: 3, data: 6 },
    peerNetworks: [],
  },
  kms: { rotationPeriodDays: 365 },
};

/** Defaults per profile. Every profile sets the same keys (a test enforces it). */
export const PROFILE_DEFAULTS: Readonly<Record<Profile, EnvironmentDefaults>> = {
  production: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "per-az",
      flowLogs: { aggregationIntervalSeconds: 60 },
      interfaceEndpoints: ["ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "kms", "ec2"],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 30 },
    logging: { retentionDays: 365 },
  },
  staging: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "single",
      flowLogs: { aggregationIntervalSeconds: 600 },
      interfaceEndpoints: ["ecr.api", "ecr.dkr", "sts"],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 30 },
    logging: { retentionDays: 90 },
  },
  development: {
    ...COMMON,
    network: {
      ...COMMON.network,
      natGateways: "single",
      flowLogs: { aggregationIntervalSeconds: 600 },
      interfaceEndpoints: [],
    },
    kms: { ...COMMON.kms, deletionWindowDays: 7 },
    logging: { retentionDays: 30 },
  },
};

/** The `deployment` defaults depend on the environment name, so they are computed. */
export function derivedDefaults(name: string): EnvironmentDefaults {
  return { deployment: { githubEnvironment: name } };
}

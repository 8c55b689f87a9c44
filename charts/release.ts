/**
 * Helm releases of catalog charts and of the platform's local charts, with the same release settings
 * everywhere: exact version, atomic installs that roll back on failure, waiting for readiness, bounded history.
 *
 * Values are passed as YAML documents — the chart's base values file, then the typed overrides — never as
 * `set` entries, so the synthesized JSON shows the whole configuration and the values test can read it.
 * Strings are double-quoted in the rendered YAML so a Terraform interpolation (a looked-up VPC id, a role ARN)
 * is always one YAML string, whatever it resolves to.
 */
import { Release } from "@cdktf/provider-helm/lib/release";
import { AssetType, TerraformAsset, TerraformStack, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { baseValues, CHART_CATALOG, type CatalogChart, type OverridesOf } from "./catalog";
import { LOCAL_CHART_ASSET_PREFIX, LOCAL_CHARTS_DIR } from "./values-check";

/** Seconds Helm waits for a release's resources to become ready before it fails (and rolls back). */
export const RELEASE_TIMEOUT_SECONDS = 600;
/** Release revisions Helm keeps for rollbacks. */
export const RELEASE_MAX_HISTORY = 10;

/** YAML of a values object; strings double-quoted, no line folding (a token must stay on one line). */
export function valuesYaml(values: unknown): string {
  return stringify(values, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 });
}

export interface ChartReleaseProps<C extends CatalogChart> {
  readonly chart: C;
  /** Helm release name. */
  readonly name: string;
  /** Namespace the release installs into (it must exist; namespaces are created explicitly). */
  readonly namespace: string;
  /** Values computed from configuration, layered over the chart's base values. */
  readonly overrides: OverridesOf<C>;
  /** Resources the release must wait for (its IAM role, its namespace, a release it builds on). */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Whether the apply waits for the release's resources to become ready (and rolls the release back when they do not
   * within RELEASE_TIMEOUT_SECONDS). Off only for a release whose readiness depends on something outside Terraform's
   * run that must not fail the apply (an exporter whose credentials a rotation creates asynchronously).
   * @default true
   */
  readonly awaitReadiness?: boolean;
}

const RELEASE_SETTINGS = {
  atomic: true,
  cleanupOnFail: true,
  wait: true,
  timeout: RELEASE_TIMEOUT_SECONDS,
  maxHistory: RELEASE_MAX_HISTORY,
  createNamespace: false,
} as const;

/** A release of a catalog chart at its pinned version. */
export function chartRelease<C extends CatalogChart>(scope: Construct, id: string, props: ChartReleaseProps<C>): Release {
  const source = CHART_CATALOG[props.chart];
  return new Release(scope, id, {
    ...RELEASE_SETTINGS,
    // `atomic` implies waiting: both off, the release is installed and its readiness is observed, not awaited.
    ...(props.awaitReadiness === false ? { atomic: false, wait: false } : {}),
    name: props.name,
    namespace: props.namespace,
    repository: source.repository,
    chart: source.chart,
    version: source.version,
    values: [valuesYaml(baseValues(props.chart)), valuesYaml(props.overrides)],
    ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
  });
}

export interface LocalChartReleaseProps {
  /** Directory name under charts/local/. */
  readonly chart: string;
  readonly name: string;
  readonly namespace: string;
  /** Values of the local chart (checked by Helm against the chart's values.schema.json). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A release of a chart kept in charts/local/. The chart directory is copied into the stack's output as an asset
 * named `chart-<name>` at the stack root (one per stack, shared by every release of it), so Terraform finds it
 * next to the stack and the values test can tell which local chart a release installs.
 */
export function localChartRelease(scope: Construct, id: string, props: LocalChartReleaseProps): Release {
  const directory = join(LOCAL_CHARTS_DIR, props.chart);
  if (!existsSync(join(directory, "Chart.yaml"))) throw new Error(`local chart "${props.chart}" does not exist at ${directory}`);
  const stack = TerraformStack.of(scope);
  const assetId = `${LOCAL_CHART_ASSET_PREFIX}${props.chart}`;
  const asset =
    (stack.node.tryFindChild(assetId) as TerraformAsset | undefined) ??
    new TerraformAsset(stack, assetId, { path: directory, type: AssetType.DIRECTORY });
  return new Release(scope, id, {
    ...RELEASE_SETTINGS,
    name: props.name,
    namespace: props.namespace,
    chart: asset.path,
    values: [valuesYaml(props.values)],
    ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
  });
}

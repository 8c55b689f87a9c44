/**
 * Elasticsearch-compatible search settings (Amazon OpenSearch Service) and their rules, shared by the construct
 * and the configuration schema.
 */
import { instanceClassProblem, sizes, type InstanceClassTable } from "../data-access/instance-classes";
import { ProblemList, type SettingProblem } from "../data-access/problems";


/** Instance types (without the `.search` suffix) the domain may use for data and dedicated master nodes. */
export const OPENSEARCH_INSTANCE_TYPES: InstanceClassTable = {
  // t3.small lacks features the platform requires (fine-grained access control with encryption); t3.medium is the floor.
  t3: ["medium"],
  m6g: sizes("large", "12xlarge", ["16xlarge"]),
  m7g: sizes("medium", "16xlarge"),
  c6g: sizes("large", "12xlarge"),
  c7g: sizes("large", "16xlarge"),
  r6g: sizes("large", "12xlarge"),
  r6gd: sizes("large", "16xlarge"),
  r7g: sizes("medium", "16xlarge"),
  or1: sizes("medium", "16xlarge"),
};
export const INSTANCE_TYPE_SUFFIX = ".search";

export const MASTER_COUNTS = [0, 3, 5] as const;
export const ZONE_COUNTS = [1, 2, 3] as const;
export const MAX_INSTANCE_COUNT = 80;
/** gp3 limits: size (GiB), IOPS, throughput (MiB/s). */
export const GP3_SIZE_RANGE = [10, 16384] as const;
export const GP3_IOPS_RANGE = [3000, 16000] as const;
export const GP3_THROUGHPUT_RANGE = [125, 1000] as const;

export interface OpenSearchSettings {
  /** `OpenSearch_<major>.<minor>`, e.g. "OpenSearch_2.19". */
  readonly engineVersion: string;
  /** Data node type, e.g. "r6g.large.search". */
  readonly instanceType: string;
  readonly instanceCount: number;
  /** Dedicated master nodes; count 0 turns them off. */
  readonly dedicatedMasters: { readonly count: number; readonly instanceType: string };
  /** Zones the data nodes are spread over; 2 or 3 turn on zone awareness. */
  readonly availabilityZones: number;
  /** gp3 volume per data node. */
  readonly volume: { readonly sizeGb: number; readonly iops: number; readonly throughputMiBps: number };
  /** Auto-Tune (not available on t3 instance types), applied in the off-peak window. */
  readonly autoTune: boolean;
  /** Start of the daily 10-hour off-peak window (UTC, hh:mm) for updates and Auto-Tune. */
  readonly offPeakWindowStart: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Hours and minutes of an `hh:mm` time. */
export function parseTime(value: string): { hours: number; minutes: number } | undefined {
  const match = TIME.exec(value);
  return match ? { hours: Number(match[1]), minutes: Number(match[2]) } : undefined;
}

/** Problems of the settings; `asOf` (configuration validation) also rejects a version past its end of standard support. */
export function openSearchProblems(settings: OpenSearchSettings, asOf?: string): SettingProblem[] {
  const p = new ProblemList();
  p.version("opensearch", settings.engineVersion, ["engineVersion"], asOf);
  const dataProblem = instanceClassProblem(settings.instanceType, OPENSEARCH_INSTANCE_TYPES, "OpenSearch", INSTANCE_TYPE_SUFFIX);
  p.check(dataProblem === undefined, ["instanceType"], dataProblem ?? "", settings.instanceType);
  p.range(settings.instanceCount, 1, MAX_INSTANCE_COUNT, ["instanceCount"], "data node count");
  p.oneOf(settings.dedicatedMasters.count, MASTER_COUNTS, ["dedicatedMasters", "count"], "dedicated master count (an odd quorum, or 0 for none)");
  if (settings.dedicatedMasters.count > 0) {
    const masterProblem = instanceClassProblem(settings.dedicatedMasters.instanceType, OPENSEARCH_INSTANCE_TYPES, "OpenSearch", INSTANCE_TYPE_SUFFIX);
    p.check(masterProblem === undefined, ["dedicatedMasters", "instanceType"], masterProblem ?? "", settings.dedicatedMasters.instanceType);
  }
  p.oneOf(settings.availabilityZones, ZONE_COUNTS, ["availabilityZones"], "availability zones");
  if (settings.availabilityZones > 1) {
    p.check(
      settings.instanceCount % settings.availabilityZones === 0,
      ["instanceCount"],
      `must be a multiple of availabilityZones (${settings.availabilityZones}) so every zone holds the same number of data nodes`,
      settings.instanceCount,
    );
  }
  p.range(settings.volume.sizeGb, GP3_SIZE_RANGE[0], GP3_SIZE_RANGE[1], ["volume", "sizeGb"], "gp3 volume size (GiB)");
  p.range(settings.volume.iops, GP3_IOPS_RANGE[0], GP3_IOPS_RANGE[1], ["volume", "iops"], "gp3 IOPS");
  p.range(settings.volume.throughputMiBps, GP3_THROUGHPUT_RANGE[0], GP3_THROUGHPUT_RANGE[1], ["volume", "throughputMiBps"], "gp3 throughput (MiB/s)");
  p.check(
    !(settings.autoTune && settings.instanceType.startsWith("t3.")),
    ["autoTune"],
    "Auto-Tune is not available on t3 instance types; set autoTune: false or use a larger family",
    settings.autoTune,
  );
  p.check(parseTime(settings.offPeakWindowStart) !== undefined, ["offPeakWindowStart"], "must be a UTC time hh:mm, e.g. 22:00", settings.offPeakWindowStart);
  return p.items;
}

/** Production minimums: data nodes in three zones and a quorum of dedicated masters. */
export function openSearchHighAvailabilityProblems(settings: OpenSearchSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(settings.availabilityZones === 3, ["availabilityZones"], "production spreads data nodes over 3 availability zones (zone awareness)", settings.availabilityZones);
  p.check(settings.dedicatedMasters.count >= 3, ["dedicatedMasters", "count"], "production needs at least 3 dedicated master nodes", settings.dedicatedMasters.count);
  p.check(settings.instanceCount >= 3, ["instanceCount"], "production needs at least 3 data nodes (one per zone)", settings.instanceCount);
  return p.items;
}

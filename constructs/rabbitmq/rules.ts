/**
 * RabbitMQ broker settings (Amazon MQ) and their rules, shared by the construct and the configuration schema.
 */
import { instanceClassProblem, sizes, type InstanceClassTable } from "../data-access/instance-classes";
import { ProblemList, type SettingProblem } from "../data-access/problems";
import { catalogVersion, catalogVersions, defaultVersion } from "../core/versions";

/**
 * Engine versions Amazon MQ offers for RabbitMQ (major.minor; patches are applied automatically), from the version
 * catalog (constructs/core/versions.ts).
 */
export const RABBITMQ_ENGINE_VERSIONS: readonly string[] = catalogVersions("rabbitmq");

export const RABBITMQ_INSTANCE_TYPES: InstanceClassTable = {
  "mq.t3": ["micro"],
  "mq.m5": sizes("large", "4xlarge", ["8xlarge", "12xlarge", "16xlarge"]),
  "mq.m7g": sizes("medium", "16xlarge"),
};

export const RABBITMQ_DEPLOYMENTS = ["single", "cluster"] as const;
export type RabbitMqDeployment = (typeof RABBITMQ_DEPLOYMENTS)[number];
/** Amazon MQ deployment modes. */
export const DEPLOYMENT_MODES: Readonly<Record<RabbitMqDeployment, string>> = {
  single: "SINGLE_INSTANCE",
  cluster: "CLUSTER_MULTI_AZ",
};
export const WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface RabbitMqSettings {
  readonly engineVersion: string;
  /** Broker instance type, e.g. "mq.m7g.large". */
  readonly instanceType: string;
  /** A three-node cluster over three zones, or a single broker. */
  readonly deployment: RabbitMqDeployment;
  /** Weekly maintenance window start (`timeOfDay` is hh:mm in `timeZone`). */
  readonly maintenanceWindow: { readonly dayOfWeek: Weekday; readonly timeOfDay: string; readonly timeZone: string };
  /** Administrative user; its password is generated into Secrets Manager. */
  readonly username: string;
  /** Days between rotations of the administrative password (Secrets Manager: 1 to 1000). */
  readonly passwordRotationDays: number;
}

/** Secrets Manager's range of `automatically_after_days`. */
export const ROTATION_DAYS_RANGE = [1, 1000] as const;

const USER_NAME = /^[\w.~-]{2,100}$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const TIME_ZONE = /^(UTC|[A-Z][A-Za-z_]+\/[A-Za-z_]+(\/[A-Za-z_]+)?)$/;

/** Problems of the settings; `asOf` (configuration validation) also rejects a version past its end of standard support. */
export function rabbitMqProblems(settings: RabbitMqSettings, asOf?: string): SettingProblem[] {
  const p = new ProblemList();
  p.version("rabbitmq", settings.engineVersion, ["engineVersion"], asOf);
  const typeProblem = instanceClassProblem(settings.instanceType, RABBITMQ_INSTANCE_TYPES, "Amazon MQ for RabbitMQ");
  p.check(typeProblem === undefined, ["instanceType"], typeProblem ?? "", settings.instanceType);
  const families = catalogVersion("rabbitmq", settings.engineVersion)?.instanceFamilies;
  p.check(
    families === undefined || families.some((family) => settings.instanceType.startsWith(`${family}.`)),
    ["instanceType"],
    `RabbitMQ ${settings.engineVersion} runs only on ${families?.join(", ")} instance types (Amazon MQ for RabbitMQ engine versions); use one, or RabbitMQ ${defaultVersion("rabbitmq")}`,
    settings.instanceType,
  );
  p.oneOf(settings.deployment, RABBITMQ_DEPLOYMENTS, ["deployment"], "deployment");
  p.check(
    !(settings.deployment === "cluster" && settings.instanceType.startsWith("mq.t3.")),
    ["instanceType"],
    "mq.t3.micro supports only a single-instance broker; use an mq.m5 or mq.m7g type for a cluster",
    settings.instanceType,
  );
  p.oneOf(settings.maintenanceWindow.dayOfWeek, WEEKDAYS, ["maintenanceWindow", "dayOfWeek"], "maintenance day");
  p.check(TIME.test(settings.maintenanceWindow.timeOfDay), ["maintenanceWindow", "timeOfDay"], "must be hh:mm (24-hour), e.g. 03:00", settings.maintenanceWindow.timeOfDay);
  p.check(TIME_ZONE.test(settings.maintenanceWindow.timeZone), ["maintenanceWindow", "timeZone"], "must be UTC or an IANA time zone such as Europe/Dublin", settings.maintenanceWindow.timeZone);
  p.range(settings.passwordRotationDays, ROTATION_DAYS_RANGE[0], ROTATION_DAYS_RANGE[1], ["passwordRotationDays"], "password rotation (days)");
  p.check(
    USER_NAME.test(settings.username) && settings.username !== "guest" && !settings.username.startsWith("amazonmq"),
    ["username"],
    "must be 2 to 100 letters, digits and ._~-, not \"guest\" and not starting with \"amazonmq\"",
    settings.username,
  );
  return p.items;
}

/** Production minimum: a cluster, so a broker node or a zone can fail without losing the broker. */
export function rabbitMqHighAvailabilityProblems(settings: RabbitMqSettings): SettingProblem[] {
  const p = new ProblemList();
  p.check(settings.deployment === "cluster", ["deployment"], "production needs a cluster deployment (three nodes over three zones)", settings.deployment);
  return p.items;
}

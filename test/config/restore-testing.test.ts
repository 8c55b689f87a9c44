/**
 * Restore testing's day, time and time zone (`backup.plans.<plan>.restoreTesting.schedule` and `.timezone`): parsed
 * as a 5-field cron schedule with croner, the time zone with Intl, then turned into the AWS Backup restore testing
 * plan's schedule expression.
 */
import { describe, expect, it } from "vitest";
import { layer } from "../../config/layering";
import { resolveEnvironmentLayers } from "../../config/loader";
import { EnvironmentSchema } from "../../config/schema/environment";
import { awsCronOf, restoreTestCron } from "../../constructs/backup/schedules";

const MINIMAL = { name: "qa", account: { id: "123456789012", region: "eu-west-1" }, network: { cidr: "10.99.0.0/16" } };
const testing = (restoreTesting: Record<string, unknown>) => ({ backup: { plans: { default: { restoreTesting } } } });

function parse(patch: Record<string, unknown>) {
  return EnvironmentSchema.safeParse(resolveEnvironmentLayers(layer({ ...MINIMAL, profile: "production" }, patch) as Record<string, unknown>, "qa"));
}

function issues(patch: Record<string, unknown>): string[] {
  const result = parse(patch);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("restore testing schedule: defaults", () => {
  it("keeps the frequency's day and the plan's time zone when neither is set", () => {
    const plan = parse({}).data?.backup.plans.default;
    expect(plan?.restoreTesting.schedule).toBeUndefined();
    expect(plan?.restoreTesting.timezone).toBeUndefined();
    expect(restoreTestCron("quarterly", "06:00")).toBe("cron(0 6 2 1,4,7,10 ? *)");
  });

  it("turns a schedule into an AWS cron expression (day of week from 1, ? for the unused day)", () => {
    expect(parse(testing({ schedule: "30 5 * * 2", timezone: "Africa/Nairobi" })).success).toBe(true);
    expect(awsCronOf("30 5 * * 2")).toBe("cron(30 5 ? * 3 *)");
    expect(awsCronOf("0 4 15 1,4,7,10 *")).toBe("cron(0 4 15 1,4,7,10 ? *)");
    expect(awsCronOf("0 6 * * 1-5")).toBe("cron(0 6 ? * 2-6 *)");
    expect(awsCronOf("0 6 * * MON,WED")).toBe("cron(0 6 ? * MON,WED *)");
    expect(restoreTestCron("weekly", "06:00", "0 3 * * 0")).toBe("cron(0 3 ? * 1 *)");
    expect(restoreTestCron("none", "06:00", "0 3 * * 0")).toBeUndefined();
  });
});

describe("restore testing schedule: bad input", () => {
  const at = "backup.plans.default.restoreTesting";
  it("rejects a schedule croner cannot parse", () => {
    expect(issues(testing({ schedule: "0 25 * * *" }))).toContainEqual(expect.stringMatching(new RegExp(`^${at}\\.schedule: hour value 25 is out of range`)));
  });
  it("rejects a macro AWS cannot express", () => {
    expect(issues(testing({ schedule: "@weekly" }))).toContainEqual(`${at}.schedule: expected a 5-field cron schedule such as "0 6 * * 1" (AWS Backup takes no macros or @every)`);
  });
  it("rejects a day of the month together with a day of the week", () => {
    expect(issues(testing({ schedule: "0 6 1 * 1" }))).toContainEqual(`${at}.schedule: day-of-month "1" and day-of-week "1" are both set; an AWS cron schedule takes one of them (set the other to *)`);
  });
  it("rejects a step in the day of the week", () => {
    expect(issues(testing({ schedule: "0 6 * * */2" }))).toContainEqual(`${at}.schedule: day-of-week "*/2" has a step; list the days instead (e.g. 1,3,5)`);
  });
  it("rejects a schedule while testing is off", () => {
    expect(issues(testing({ frequency: "none", resourceTypes: [], schedule: "0 6 * * 1" }))).toContainEqual(
      `${at}.schedule: restore testing is off (frequency: none), so the schedule would never be used; set a frequency or remove schedule`,
    );
  });
  it("rejects a time zone Intl does not know", () => {
    expect(issues(testing({ timezone: "Africa/Nairobbi" }))).toContainEqual(expect.stringMatching(new RegExp(`^${at}\\.timezone: `)));
  });
});

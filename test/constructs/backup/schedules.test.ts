import { describe, expect, it } from "vitest";
import { planRules, restoreTestCron } from "../../../constructs/backup/schedules";
import { cronIntervalMinutes } from "../../../constructs/rpo/cron";
import { backupPlan, MURIMA_POLICY, NOOR_POLICY, SMARTEDU_POLICY } from "../../fixtures/backup-policies";

const byName = (rules: ReturnType<typeof planRules>) => Object.fromEntries(rules.map((rule) => [rule.name, rule]));

describe("reference products' policies produce the schedules their guides state", () => {
  it("SmartEdu: daily 02:00 UTC for 30 days, 6-hourly for 7 days, continuous WAL for 7 days, weekly a year in cold storage, copied off-region", () => {
    const plan = backupPlan(SMARTEDU_POLICY);
    const rules = byName(planRules(plan));
    expect(Object.keys(rules)).toEqual(["frequent", "daily", "weekly", "continuous"]);
    expect(rules.daily).toMatchObject({ schedule: "cron(0 2 ? * * *)", deleteAfterDays: 30, copy: true, continuous: false });
    expect(rules.frequent).toMatchObject({ schedule: "cron(0 0/6 ? * * *)", deleteAfterDays: 7, continuous: false });
    expect(rules.continuous).toMatchObject({ continuous: true, deleteAfterDays: 7 });
    expect(rules.weekly).toMatchObject({ schedule: "cron(0 3 ? * SUN *)", deleteAfterDays: 365, coldStorageAfterDays: 1, copy: true });
    expect(plan.timezone).toBe("UTC");
    expect(cronIntervalMinutes(rules.frequent?.schedule ?? "")).toBe(6 * 60);
    expect(cronIntervalMinutes(rules.daily?.schedule ?? "")).toBe(24 * 60);
    expect(cronIntervalMinutes(rules.weekly?.schedule ?? "")).toBe(7 * 24 * 60);
    expect(plan.rpo).toBe(15);
    expect(plan.rto).toBe(120);
  });

  it("Murima: daily at 2 AM kept 7 days, weekly 4 weeks, monthly 6 months, all copied; quarterly restore tests", () => {
    const plan = backupPlan(MURIMA_POLICY);
    const rules = byName(planRules(plan));
    expect(rules.daily).toMatchObject({ schedule: "cron(0 2 ? * * *)", deleteAfterDays: 7, copy: true });
    expect(rules.weekly).toMatchObject({ deleteAfterDays: 28, copy: true });
    expect(rules.monthly).toMatchObject({ schedule: "cron(0 4 1 * ? *)", deleteAfterDays: 180, copy: true });
    expect(rules.continuous?.continuous).toBe(true);
    expect(rules.frequent).toBeUndefined();
    const quarterly = restoreTestCron(plan.restoreTesting.frequency, plan.restoreTesting.at) ?? "";
    expect(quarterly).toBe("cron(0 6 2 1,4,7,10 ? *)");
    // Quarterly: the longest gap between two restore tests is one quarter (92 days at most).
    expect(cronIntervalMinutes(quarterly)).toBe(92 * 24 * 60);
    expect(plan.rpo).toBe(60);
    expect(plan.rto).toBe(240);
  });

  it("NOOR: daily full at 2:00 AM UTC and 6-hourly incrementals, both kept 30 days and copied off-site", () => {
    const plan = backupPlan(NOOR_POLICY);
    const rules = byName(planRules(plan));
    expect(Object.keys(rules)).toEqual(["frequent", "daily"]);
    expect(rules.frequent).toMatchObject({ schedule: "cron(0 0/6 ? * * *)", deleteAfterDays: 30, copy: true });
    expect(rules.daily).toMatchObject({ schedule: "cron(0 2 ? * * *)", deleteAfterDays: 30, copy: true });
    expect(plan.rpo).toBe(360);
  });
});

describe("schedule expressions", () => {
  it("aligns frequent backups to their first time of day", () => {
    expect(planRules(backupPlan({ frequent: { enabled: true, at: "01:30", everyHours: 4 } }))[0]?.schedule).toBe("cron(30 1/4 ? * * *)");
    expect(planRules(backupPlan({ frequent: { enabled: true, at: "13:00", everyHours: 12 } }))[0]?.schedule).toBe("cron(0 1/12 ? * * *)");
  });

  it("schedules yearly backups on a month and day", () => {
    const rules = planRules(backupPlan({ yearly: { enabled: true, month: 12, dayOfMonth: 31 - 3, at: "05:15" } }));
    expect(rules[0]?.schedule).toBe("cron(15 5 28 12 ? *)");
  });

  it("runs restore tests weekly on Monday, monthly on the 2nd, or not at all", () => {
    expect(restoreTestCron("weekly", "06:00")).toBe("cron(0 6 ? * MON *)");
    expect(restoreTestCron("monthly", "06:00")).toBe("cron(0 6 2 * ? *)");
    expect(restoreTestCron("none", "06:00")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { CronError, cronIntervalMinutes, DAYLIGHT_SAVING_ALLOWANCE_MINUTES, scheduleIntervalMinutes } from "../../../constructs/rpo/cron";

const HOUR = 60;
const DAY = 24 * HOUR;

describe("cronIntervalMinutes", () => {
  it("gives the period of regular schedules", () => {
    expect(cronIntervalMinutes("cron(0 * ? * * *)")).toBe(HOUR);
    expect(cronIntervalMinutes("cron(15 0/6 ? * * *)")).toBe(6 * HOUR);
    expect(cronIntervalMinutes("cron(0 2 ? * * *)")).toBe(DAY);
    expect(cronIntervalMinutes("cron(0 3 ? * SUN *)")).toBe(7 * DAY);
  });

  it("gives the worst gap of uneven schedules, not the average", () => {
    expect(cronIntervalMinutes("cron(0 2,20 ? * * *)")).toBe(18 * HOUR);
    expect(cronIntervalMinutes("cron(0 2 ? * MON-FRI *)")).toBe(3 * DAY);
    expect(cronIntervalMinutes("cron(0 2 1,15 * ? *)")).toBe(17 * DAY);
    expect(cronIntervalMinutes("cron(0 2 L * ? *)")).toBe(31 * DAY);
    expect(cronIntervalMinutes("cron(0 0 1 1 ? *)")).toBe(366 * DAY);
  });

  it("adds the daylight-saving allowance outside UTC", () => {
    expect(scheduleIntervalMinutes("cron(0 2 ? * * *)", "UTC")).toBe(DAY);
    expect(scheduleIntervalMinutes("cron(0 2 ? * * *)", "Europe/Dublin")).toBe(DAY + DAYLIGHT_SAVING_ALLOWANCE_MINUTES);
  });

  it("rejects what it cannot evaluate with the expression in the message", () => {
    expect(() => cronIntervalMinutes("rate(1 hour)")).toThrow(/rate\(1 hour\): expected an AWS cron expression/);
    expect(() => cronIntervalMinutes("cron(0 2 * * *)")).toThrow(/expected 6 fields, found 5/);
    expect(() => cronIntervalMinutes("cron(0 2 1 * MON *)")).toThrow(/one of day-of-month and day-of-week must be "\?"/);
    expect(() => cronIntervalMinutes("cron(0 25 ? * * *)")).toThrow(/hours value "25" is out of range 0-23/);
    expect(() => cronIntervalMinutes("cron(0 2 15W * ? *)")).toThrow(CronError);
    expect(() => cronIntervalMinutes("cron(0 2 1 1 ? 2020)")).toThrow(/runs fewer than twice/);
  });
});

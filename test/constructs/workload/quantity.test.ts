import { describe, expect, it } from "vitest";
import { imagePinningProblem, parseImage } from "../../../constructs/workload/image";
import { formatCpu, formatMemory, parseCpu, parseMemory, parseQuantity } from "../../../constructs/workload/quantity";

describe("Kubernetes quantities", () => {
  it("parses decimal, binary and exponent forms", () => {
    expect(parseQuantity("500m")).toBeCloseTo(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("1.5")).toBe(1.5);
    expect(parseQuantity("512Mi")).toBe(512 * 2 ** 20);
    expect(parseQuantity("4Gi")).toBe(4 * 2 ** 30);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity(3)).toBe(3);
  });

  it("rejects what Kubernetes would reject", () => {
    for (const text of ["", "two", "4GB", "1.2.3", "Mi", "5 m", "--1"]) expect(parseQuantity(text), text).toBeUndefined();
  });

  it("accepts CPU only without binary suffixes and at most millicore precision", () => {
    expect(parseCpu("250m")).toBeCloseTo(0.25);
    expect(parseCpu("500Mi")).toBeUndefined();
    expect(parseCpu("0.0001")).toBeUndefined();
    expect(parseCpu("-1")).toBeUndefined();
  });

  it("accepts memory only in whole bytes", () => {
    expect(parseMemory("1Gi")).toBe(2 ** 30);
    expect(parseMemory("0.5")).toBeUndefined();
  });

  it("formats totals as millicores and mebibytes, rounding up", () => {
    expect(formatCpu(69.6875)).toBe("69688m");
    expect(formatCpu(0.25)).toBe("250m");
    expect(formatMemory(1.5 * 2 ** 30)).toBe("1536Mi");
    expect(formatMemory(2 ** 20 + 1)).toBe("2Mi");
  });
});

describe("image references", () => {
  const digest = `sha256:${"a".repeat(64)}`;

  it("parses registry, repository, tag and digest", () => {
    expect(parseImage("registry.example.com:5000/team/app:1.2.3")).toEqual({ repository: "registry.example.com:5000/team/app", tag: "1.2.3" });
    expect(parseImage(`app@${digest}`)).toEqual({ repository: "app", digest });
    expect(parseImage(`r.example.com/app:1.0@${digest}`)).toEqual({ repository: "r.example.com/app", tag: "1.0", digest });
    for (const bad of ["App:1", "app:", "app@sha256:abc", "app:1@x@y", "app:bad tag"]) expect(parseImage(bad), bad).toBeUndefined();
  });

  it("requires a version tag or a digest, never latest, and a digest where the environment demands it", () => {
    expect(imagePinningProblem("app:1.2.3", false)).toBeUndefined();
    expect(imagePinningProblem(`app@${digest}`, true)).toBeUndefined();
    expect(imagePinningProblem("app", false)).toMatch(/not pinned/);
    expect(imagePinningProblem("app:latest", false)).toMatch(/latest is not allowed/);
    expect(imagePinningProblem(`app:latest@${digest}`, true)).toMatch(/latest is not allowed/);
    expect(imagePinningProblem("app:1.2.3", true)).toMatch(/requires images pinned by digest/);
    expect(imagePinningProblem("not an image", false)).toMatch(/not a valid image reference/);
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cachingArchiver } from "../../stacks/fast-synth";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fast-synth-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for cdktf's zip: records each call and writes the source's file contents, so a stale copy shows. */
function fakeArchive(calls: string[]) {
  return (src: string, dest: string) => {
    calls.push(src);
    writeFileSync(dest, readdirSync(src).sort().map((name) => readFileSync(join(src, name), "utf8")).join("|"));
  };
}

describe("cachingArchiver", () => {
  it("zips a source once, then copies the same bytes in this process and in the next one (disk cache)", () => {
    const src = tempDir();
    writeFileSync(join(src, "index.mjs"), "export const handler = 1;");
    const cache = join(tempDir(), "cache");
    const out = tempDir();
    const calls: string[] = [];
    const first = cachingArchiver(fakeArchive(calls), cache);
    first(src, join(out, "a.zip"));
    first(src, join(out, "b.zip"));
    expect(calls).toHaveLength(1);
    rmSync(join(out, "a.zip")); // the first stack's archive was moved away: the disk cache still has it
    first(src, join(out, "c.zip"));
    const next = cachingArchiver(fakeArchive(calls), cache); // a new process
    next(src, join(out, "d.zip"));
    expect(calls).toHaveLength(1);
    for (const name of ["b.zip", "c.zip", "d.zip"]) expect(readFileSync(join(out, name), "utf8")).toBe("export const handler = 1;");
    expect(readdirSync(cache).filter((name) => name.endsWith(".partial"))).toEqual([]);
  });

  it("zips again when a file's content changes, even with the same size and modification time", () => {
    const src = tempDir();
    const file = join(src, "index.mjs");
    writeFileSync(file, "export const handler = 1;");
    const when = new Date("2026-01-01T00:00:00Z");
    utimesSync(file, when, when);
    const cache = join(tempDir(), "cache");
    const out = tempDir();
    const calls: string[] = [];
    cachingArchiver(fakeArchive(calls), cache)(src, join(out, "a.zip"));
    writeFileSync(file, "export const handler = 2;");
    utimesSync(file, when, when);
    cachingArchiver(fakeArchive(calls), cache)(src, join(out, "b.zip"));
    expect(calls).toHaveLength(2);
    expect(readFileSync(join(out, "b.zip"), "utf8")).toBe("export const handler = 2;");
  });

  it("still zips when the cache directory cannot be written", () => {
    const src = tempDir();
    writeFileSync(join(src, "index.mjs"), "x");
    const blocker = join(tempDir(), "file");
    writeFileSync(blocker, "not a directory");
    const out = tempDir();
    const calls: string[] = [];
    const archiver = cachingArchiver(fakeArchive(calls), join(blocker, "cache"));
    archiver(src, join(out, "a.zip"));
    rmSync(join(out, "a.zip"));
    archiver(src, join(out, "b.zip"));
    expect(calls).toHaveLength(2);
    expect(readFileSync(join(out, "b.zip"), "utf8")).toBe("x");
  });
});

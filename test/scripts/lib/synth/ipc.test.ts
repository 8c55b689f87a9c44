import { fork } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { replyAndDisconnect } from "../../../../scripts/lib/synth/ipc";
import type { WorkerReply } from "../../../../scripts/lib/synth/worker";

const TSX = pathToFileURL(createRequire(__filename).resolve("tsx")).href;

/** Forks ipc-child.ts, keeps this process busy as a synthesizing parent is, and records what arrives. */
function exchange(bytes: number): Promise<{ events: string[]; size: number }> {
  return new Promise((resolve) => {
    const child = fork(join(__dirname, "ipc-child.ts"), [], { execArgv: ["--import", TSX], env: { ...process.env, REPLY_BYTES: String(bytes) } });
    const events: string[] = [];
    let size = -1;
    child.on("message", (reply: WorkerReply) => {
      events.push("message");
      if (reply.kind === "failed") size = reply.message.length;
    });
    child.on("close", () => resolve({ events: [...events, "close"], size }));
    child.send("go", () => {
      const until = Date.now() + 300;
      while (Date.now() < until); // the parent synthesizes its own share meanwhile (synchronous work)
    });
  });
}

describe("replyAndDisconnect", () => {
  it("delivers a reply of megabytes before the channel closes (a 5000-tenant share's manifest entries)", async () => {
    const { events, size } = await exchange(8_000_000);
    expect(events).toEqual(["message", "close"]);
    expect(size).toBe(8_000_000);
  });

  it("disconnects only from the send callback", () => {
    const calls: string[] = [];
    let callback: ((error: Error | null) => void) | undefined;
    replyAndDisconnect(
      { kind: "failed", name: "E", message: "m" },
      {
        send: (_message, done) => {
          calls.push("send");
          callback = done;
          return true;
        },
        disconnect: () => calls.push("disconnect"),
      },
    );
    expect(calls).toEqual(["send"]);
    callback?.(null);
    expect(calls).toEqual(["send", "disconnect"]);
  });
});

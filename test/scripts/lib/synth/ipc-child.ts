/** A forked child for ipc.test.ts: answers the first message with a reply of REPLY_BYTES bytes, as a synthesis worker does. */
import { replyAndDisconnect } from "../../../../scripts/lib/synth/ipc";

process.on("message", () => {
  const size = Number(process.env.REPLY_BYTES ?? "0");
  replyAndDisconnect({ kind: "failed", name: "Big", message: "x".repeat(size) });
});

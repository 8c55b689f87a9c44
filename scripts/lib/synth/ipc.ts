/**
 * The synthesis worker's side of its IPC channel (./worker.ts), apart from the worker so it can be tested without
 * starting one.
 */
import type { WorkerReply } from "./worker";

/** The worker's side of the IPC channel (the `process` object of a forked child). */
export interface ParentChannel {
  send?: (message: WorkerReply, callback: (error: Error | null) => void) => boolean;
  disconnect?: () => void;
}

/**
 * Sends the reply and only then closes the channel. Disconnecting right after `send` drops a reply that does not fit
 * the pipe's buffer at once: with 5000 tenants a share's manifest entries are megabytes, and the parent saw the worker
 * exit without an answer. `send`'s callback runs once the message is written.
 */
export function replyAndDisconnect(reply: WorkerReply, channel: ParentChannel = process as ParentChannel): void {
  if (!channel.send) return;
  channel.send(reply, () => channel.disconnect?.());
}

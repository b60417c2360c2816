// A Run that also hears how many follow it. The server sends {"type": "viewers", count} when
// sockets come or go; frames carry the count as well, but a paused run sends no frames, so a
// page showing the count (the presenter, each watcher) needs the message to stay in step.
// Handlers: those of Run, plus onViewers(count).

import { Run } from "./live-run.js";

export class CountedRun extends Run {
  receive(message) {
    if (message.type === "viewers") this.h.onViewers?.(message.count);
    else super.receive(message);
  }
}

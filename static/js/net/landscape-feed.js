// Keeps a loss landscape fresh without asking the server more than it needs: at most twice a
// second while the run plays, once more when it stops, and not at all while the panel is folded
// or the page hidden. One request at a time; a newer answer replaces the older. No DOM here
// beyond asking whether the panel is open.

import { getLandscape } from "./api.js";

const PLAYING_MS = 500; // at most twice a second while playing
const RESOLUTION = 41;
const RETRY_MS = 3000;

export class LandscapeFeed {
  /**
   * o: {kind: "session" | "comparison", target() → {id, token} or null, playing() → bool,
   * open() → whether anyone can see the panel, onAnswer(answer), onError(error)}
   */
  constructor(o) {
    this.o = o;
    this.busy = false;
    this.stale = true; // the run moved since the last answer
    this.last = 0;
    this.waitUntil = 0; // after a refusal: try again later, not on every tick
    setInterval(() => this.tick(), PLAYING_MS / 2);
  }

  /** The run moved (a frame, a step, a reset): fetch when the pace allows. */
  moved() {
    this.stale = true;
  }

  tick() {
    if (!this.stale || this.busy || document.hidden || !this.o.open()) return;
    if (performance.now() < this.waitUntil) return;
    if (this.o.playing() && performance.now() - this.last < PLAYING_MS) return;
    this.fetch();
  }

  async fetch() {
    const target = this.o.target();
    if (!target?.id) return;
    this.busy = true;
    this.stale = false;
    this.last = performance.now();
    try {
      this.o.onAnswer(await getLandscape(this.o.kind, target.id, RESOLUTION, target.token));
    } catch (error) {
      this.stale = true;
      this.waitUntil = performance.now() + RETRY_MS;
      this.o.onError?.(error);
    } finally {
      this.busy = false;
    }
  }
}

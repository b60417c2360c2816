// Looking back through a run's timeline, one checkpoint at a time, for this viewer only: the
// presenter's ← and → (README: GET …/timeline, and WS {"type": "seek", "at": k}). No DOM here.

import { getTimeline } from "../net/api.js";

export class SeekBack {
  /** run: a Run; onChange(active) when looking back starts or ends */
  constructor(run, { onChange } = {}) {
    this.run = run;
    this.onChange = onChange;
    this.entries = [];
    this.index = null; // into entries; null: live
    this.busy = false;
  }

  get active() {
    return this.index !== null;
  }

  /** One checkpoint further back. `step` is the live step, to skip the checkpoint shown now. */
  async back(step) {
    if (this.busy) return;
    if (this.index === null) {
      this.busy = true;
      try {
        this.entries = (await getTimeline(this.run.id)).entries;
      } finally {
        this.busy = false;
      }
      let index = this.entries.length - 1;
      while (index >= 0 && this.entries[index].step >= step) index -= 1;
      this.go(index);
    } else {
      this.go(this.further(-1));
    }
  }

  /** The next entry in `direction` that shows another moment (checkpoints may share a step). */
  further(direction) {
    const shown = this.entries[this.index].step;
    let index = this.index + direction;
    while (this.entries[index] && this.entries[index].step === shown) index += direction;
    return index;
  }

  /** One checkpoint forward; past the newest, back to the live run. False when already live. */
  forward() {
    if (this.index === null) return false;
    const index = this.further(1);
    if (index >= this.entries.length) this.leave();
    else this.go(index);
    return true;
  }

  go(index) {
    if (index < 0 && this.index === null) return; // nothing older than the live run
    const clamped = Math.max(0, index);
    if (clamped === this.index || !this.entries[clamped]) return;
    const was = this.active;
    this.index = clamped;
    this.run.seek(this.entries[clamped].at);
    if (!was) this.onChange?.(true);
  }

  /** Back to the live run: the server sends this viewer its current frame. */
  leave() {
    if (this.index === null) return;
    this.index = null;
    this.run.live();
    this.onChange?.(false);
  }

  /** The run moved on (played, reset, changed): the checkpoints listed are stale. */
  forget() {
    if (this.index === null) return;
    this.index = null;
    this.onChange?.(false);
  }
}

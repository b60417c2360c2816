// The playground's look back through training: the timeline view under the charts, the moments
// it offers (they come with the live frames; markers and thinning with a fetch now and then),
// the badge on the plot while the past is shown, and "branch from here". It steers the session
// link and the display; the page wires it to its buttons.

import { formatCount, formatValue } from "../lib/scales.js";
import { LIMITS } from "../state/state.js";
import { MARKER_NAMES, TimelineView } from "./timeline.js";

const REFRESH_MS = 3000; // markers while playing: now and then, not every frame

const momentOf = (p) => ({ x: p.step, at: p.at, step: p.step, epoch: p.epoch });

export class TimelinePanel {
  /**
   * deps: link (a session RunLink), display (RunView), invalidate(), notify(text),
   * status() → the run's status, learningRate() → the step size in force.
   */
  constructor(root, deps) {
    this.root = root;
    this.d = deps;
    this.moments = [];
    this.timer = 0;
    const $ = (id) => root.querySelector(`#${id}`);
    this.form = $("branch");
    this.rate = $("branch-lr");
    this.badge = $("past-badge");
    this.view = new TimelineView($("timeline"), {
      invalidate: deps.invalidate,
      onSeek: (moment) => this.seek(moment),
      onLive: () => this.goLive(),
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.branch();
    });
    setInterval(() => {
      if (this.d.status() === "running" && !document.hidden) this.refresh();
    }, REFRESH_MS);
  }

  get past() {
    return this.view.past;
  }

  draw() {
    return this.view.draw();
  }

  /** A new session: nothing to look back on until it says what it kept. */
  clear() {
    this.moments = [];
    this.view.setMoments([]);
    this.view.setMarkers([]);
  }

  /** A live frame's history entry: one more moment (or, after a reset or rewind, fewer). */
  add(history) {
    if (!history || history.at === null || history.at === undefined) return;
    const moment = momentOf({ ...history.point, at: history.at });
    const moments = this.moments;
    while (moments.length && moments.at(-1).step >= moment.step) moments.pop();
    moments.push(moment);
    this.view.setMoments(moments);
    if (!this.past) this.view.say(`Live · epoch ${formatCount(moment.epoch)}`);
    if (this.d.status() !== "running") this.refresh(400); // stepped: markers once it rests
  }

  /** Fetches the moments kept and the markers found, after `delay` ms (calls coalesce). */
  refresh(delay = 0) {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      const link = this.d.link;
      const id = link.id;
      try {
        const { entries, markers } = await link.timeline();
        if (id !== link.id) return;
        this.moments = entries.map(momentOf);
        this.view.setMoments(this.moments);
        this.view.setMarkers(markers.map((m) => ({
          kind: m.kind,
          x: m.step,
          text: `${MARKER_NAMES[m.kind] ?? m.kind} · epoch ${formatCount(m.epoch)}`,
        })));
      } catch {
        // the session is being replaced; its hello fetches again
      }
    }, delay);
  }

  seek(moment) {
    const { link, display } = this.d;
    if (this.d.status() === "running") link.pause(); // looking back stops the run where it is
    display.enterPast();
    link.seek(moment.at);
    const latest = this.moments.at(-1);
    this.view.say(`Epoch ${formatCount(moment.epoch)} of ${formatCount(latest?.epoch ?? 0)}`
      + " — the past. Play resumes from the live end.");
    this.badge.textContent = `Looking back: epoch ${formatCount(moment.epoch)}`;
    if (this.form.hidden) this.rate.value = String(this.d.learningRate());
    this.form.hidden = false;
  }

  /** Back to the live end of the run (before playing, stepping or changing anything). */
  goLive() {
    this.view.goLive();
    this.d.link.live();
    this.d.display.goLive();
    this.form.hidden = true;
    this.view.say(`Live · epoch ${formatCount(this.moments.at(-1)?.epoch ?? 0)}`);
  }

  /** A new session from the moment shown, with the step size typed; the page then drives it. */
  async branch() {
    const moment = this.past;
    const rate = Number(this.rate.value);
    const [lo, hi] = LIMITS.learning_rate;
    if (!moment || !Number.isFinite(rate) || rate < lo || rate > hi) {
      this.rate.setCustomValidity(`Choose a step size between ${lo} and ${hi}.`);
      this.rate.reportValidity();
      return;
    }
    this.rate.setCustomValidity("");
    try {
      await this.d.link.branch(moment.at, { learning_rate: rate });
      this.goLive();
      this.d.notify(`A new run branched from epoch ${formatCount(moment.epoch)} with step size `
        + `${formatValue(rate, 3)}; press play to go on from there.`);
    } catch (error) {
      this.d.notify(`Could not branch from there: ${error.message}`);
      this.refresh();
    }
  }
}

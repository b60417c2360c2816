// What screen readers hear of the numbers that change every frame (the step meter, the
// boundary change, the epoch counter): at most one announcement every few seconds while the run
// plays, and one when it pauses or stops, with the numbers then shown. The numbers themselves
// still change every frame on screen; they are not live regions (aria-live="off"), and this
// module reads them into one visually hidden live region of its own.
//
// A readout is any element with data-announce="its spoken name"; the run's status is read from
// the root's data-status ("running" while it plays).

export const ANNOUNCE_EVERY_MS = 5000;

export class ReadoutAnnouncer {
  /** root: holds the readouts and data-status; every: the least time between announcements. */
  constructor(root, { every = ANNOUNCE_EVERY_MS } = {}) {
    this.root = root;
    this.every = every;
    this.region = document.createElement("div");
    this.region.className = "visually-hidden";
    this.region.setAttribute("aria-live", "polite");
    this.region.dataset.readouts = "";
    root.append(this.region);
    this.readouts = [...root.querySelectorAll("[data-announce]")];
    for (const node of this.readouts) node.setAttribute("aria-live", "off");
    this.said = new Map(); // readout → the text last announced
    this.last = -Infinity; // when the last announcement was made
    this.timer = null;
    this.status = root.dataset.status;
    const changed = new MutationObserver(() => this.changed());
    for (const node of this.readouts) {
      changed.observe(node, { characterData: true, childList: true, subtree: true });
    }
    new MutationObserver(() => this.statusChanged()).observe(root, {
      attributes: true, attributeFilter: ["data-status"],
    });
  }

  /** A readout changed: announce now if the last announcement is old enough, else later. */
  changed() {
    if (this.timer !== null) return; // one is due already; it will read the latest numbers
    const wait = this.last + this.every - performance.now();
    if (wait <= 0) this.announce();
    else this.timer = setTimeout(() => this.announce(), wait);
  }

  /** Leaving "running" (a pause, a stop, a divergence) announces at once. */
  statusChanged() {
    const status = this.root.dataset.status;
    if (status === this.status) return;
    const stopped = this.status === "running";
    this.status = status;
    // The last frame may be painted an animation frame after the news that the run stopped.
    if (stopped) requestAnimationFrame(() => requestAnimationFrame(() => this.announce()));
  }

  /** Says the readouts whose text changed since they were last said. */
  announce() {
    clearTimeout(this.timer);
    this.timer = null;
    const parts = [];
    for (const node of this.readouts) {
      const text = node.textContent.trim();
      if (!text || node.closest("[hidden]") || this.said.get(node) === text) continue;
      this.said.set(node, text);
      parts.push(`${node.dataset.announce} ${text}.`);
    }
    if (!parts.length) return;
    this.last = performance.now();
    this.region.textContent = parts.join(" ");
  }
}

// The timeline under the loss chart: a scrubber over the moments a run kept, the markers the
// server found (diverged, oscillating, settled, best test loss, overfitting) and a way back to
// live. It only shows and reports: what a moment is, and fetching it, belong to the page.
// Moments are {x, label, …} sorted by x (steps in the playground, epochs in compare); the
// scrubber is linear in x so it lines up with the chart above, and the arrow keys walk the
// moments one by one (early training keeps many, later fewer). Markers closer than a badge's
// width (early ones crowd the left edge once the run is long) share one badge with their count,
// which opens a list of them, each still a way to its moment.

import { PAD } from "../charts/chart.js";
import { OnScreen, setText } from "../lib/repaint.js";

const SVG = "http://www.w3.org/2000/svg";
// Markers differ by shape as well as colour.
const GLYPHS = {
  diverged: "M3 3 L13 13 M13 3 L3 13",
  oscillating: "M1 11 L4.5 4 L8 12 L11.5 4 L15 11",
  settled: "M8 2.5 A5.5 5.5 0 1 1 7.99 2.5 Z",
  best_test: "M8 1.5 L9.9 6 L14.7 6.3 L11 9.4 L12.2 14.2 L8 11.6 L3.8 14.2 L5 9.4 L1.3 6.3 L6.1 6 Z",
  overfitting: "M2.5 3.5 L13.5 3.5 L8 13 Z",
};
const CROWD_PX = 22; // markers closer than this on the track share one badge

/**
 * Groups of marker indices for markers at fractions `ts` of a track `width` px wide: each group
 * holds markers within CROWD_PX of its first one, in order along the track.
 */
export function crowds(ts, width, gap = CROWD_PX) {
  const order = ts.map((t, i) => i).sort((a, b) => ts[a] - ts[b] || a - b);
  const groups = [];
  for (const i of order) {
    const group = groups.at(-1);
    if (group && (ts[i] - ts[group[0]]) * width < gap) group.push(i);
    else groups.push([i]);
  }
  return groups;
}

export const MARKER_NAMES = {
  diverged: "Diverged",
  oscillating: "Oscillating",
  settled: "Settled",
  best_test: "Best test loss",
  overfitting: "Overfitting begins",
};

/** A small SVG of a marker's shape; stroked kinds are lines, the others filled. */
export function glyph(kind) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("glyph");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", GLYPHS[kind] || GLYPHS.settled);
  svg.append(path);
  svg.dataset.kind = kind;
  return svg;
}

export class TimelineView {
  /**
   * root: an empty element to build in. handlers: onSeek(moment), onLive(), invalidate() (asks
   * for a paint: new moments and markers reach the DOM in draw(), at most once per frame).
   * options: {label: accessible name of the scrubber, id: prefix for the elements' ids}
   */
  constructor(root, { onSeek, onLive, invalidate }, { label = "Moment of training shown", id = "timeline" } = {}) {
    this.root = root;
    this.onSeek = onSeek;
    this.onLive = onLive;
    this.invalidate = invalidate || (() => this.draw());
    this.moments = [];
    this.markers = [];
    this.dirty = { moments: false, markers: false, readout: false };
    this.index = null; // the moment shown, or null when live
    root.classList.add("timeline");
    root.dataset.view = "live";
    const el = (tag, cls, text) => {
      const node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text) node.textContent = text;
      return node;
    };
    const track = el("div", "scrub");
    track.style.setProperty("--pad-left", `${PAD.left}px`); // lines up with the chart above
    track.style.setProperty("--pad-right", `${PAD.right}px`);
    this.marks = el("div", "marks");
    this.input = el("input", "scrubber");
    Object.assign(this.input, { type: "range", min: "0", max: "0", step: "any", value: "0" });
    this.input.id = `${id}-scrubber`;
    this.input.setAttribute("aria-label", label);
    track.append(this.marks, this.input);
    this.crowd = el("ul", "crowd-list"); // the markers of the badge opened, if any
    this.crowd.id = `${id}-crowd`;
    this.crowd.hidden = true;
    this.opened = null; // the key of the opened badge's first marker
    this.groupsKey = "";
    this.groups = [];
    const row = el("div", "timeline-row");
    this.readout = el("p", "timeline-readout");
    this.readout.id = `${id}-readout`;
    this.liveButton = el("button", "live-button", "Live");
    Object.assign(this.liveButton, { type: "button", id: `${id}-live` });
    this.liveButton.title = "Back to the latest moment";
    row.append(this.readout, this.liveButton);
    this.list = el("ul", "marker-list");
    this.list.setAttribute("aria-label", "Moments found");
    this.list.hidden = true;
    root.append(track, this.crowd, row, this.list);
    this.onScreen = new OnScreen(root, () => this.invalidate());
    // Focus may come before the next paint (a key pressed at once): the scrubber must already
    // hold every moment kept, or its keys would walk a stale range.
    root.addEventListener("focusin", () => this.draw());
    this.marksWidth = 0; // kept from the observer: reading it while drawing would force a layout
    new ResizeObserver(([entry]) => { // crowding is in pixels: a narrower track may group more
      this.marksWidth = entry.contentRect.width;
      this.dirty.moments = true;
      this.invalidate();
    }).observe(this.marks);
    this.crowd.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.closeCrowd(true);
    });

    this.input.addEventListener("input", () => this.pick(this.nearest(Number(this.input.value))));
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.liveButton.addEventListener("click", () => this.goLive(true));
  }

  /** The moments kept so far; the last one is where live is. */
  setMoments(moments) {
    const shown = this.past;
    this.moments = moments;
    if (shown) { // the list was fetched again: find the moment shown in it
      const same = moments.findIndex((m) => m.at === shown.at);
      this.index = same >= 0 ? same : this.nearest(shown.x);
      if (this.index !== null && this.index >= moments.length - 1) this.index = Math.max(0, moments.length - 2);
    }
    this.dirty.moments = true;
    this.invalidate();
  }

  /** Markers: [{kind, x, text, color?}]; each seeks to its moment when clicked. */
  setMarkers(markers) {
    const key = JSON.stringify(markers);
    if (key === this.markersKey) return;
    this.markersKey = key;
    this.markers = markers;
    this.dirty.markers = true;
    this.invalidate();
  }

  /** Brings the DOM up to date; returns whether anything changed. */
  draw() {
    const { moments: movedRange, markers: newMarkers, readout } = this.dirty;
    if (!(movedRange || newMarkers || readout) || !this.onScreen.due()) return false;
    this.dirty = { moments: false, markers: false, readout: false };
    if (readout) setText(this.readout, this.said);
    if (!movedRange && !newMarkers) return readout;
    const first = this.moments[0]?.x ?? 0;
    const last = this.moments.at(-1)?.x ?? 0;
    this.input.min = String(first);
    this.input.max = String(Math.max(last, first));
    this.input.disabled = this.moments.length < 2;
    this.input.value = String(this.past ? this.past.x : this.input.max);
    if (newMarkers) {
      this.list.replaceChildren();
      for (const marker of this.markers) {
        const item = document.createElement("li");
        const button = this.markButton(marker);
        button.append(` ${marker.text}`);
        item.append(button);
        this.list.append(item);
      }
      this.list.hidden = !this.markers.length;
    }
    this.placeMarks(newMarkers);
    return true;
  }

  markButton(marker) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mark";
    button.dataset.kind = marker.kind;
    const shape = glyph(marker.kind);
    if (marker.color) shape.style.color = marker.color; // compare: the run's colour
    button.append(shape);
    button.addEventListener("click", () => this.pick(this.nearest(marker.x)));
    return button;
  }

  /** Positions the markers on the track, crowded ones as one badge; rebuilds the buttons only
   * when the markers or their grouping changed. */
  placeMarks(rebuild) {
    const first = this.moments[0]?.x ?? 0;
    const span = (this.moments.at(-1)?.x ?? 0) - first;
    const ts = this.markers.map((m) => (span > 0 ? Math.min(1, Math.max(0, (m.x - first) / span)) : 0));
    const groups = crowds(ts, this.marksWidth);
    const key = JSON.stringify(groups);
    if (rebuild || key !== this.groupsKey) {
      this.groupsKey = key;
      this.groups = groups;
      // A keyboard user on a badge or in its list stays there when the buttons are rebuilt.
      const focused = document.activeElement;
      const onBadge = this.marks.contains(focused) && this.opened;
      const inList = [...this.crowd.querySelectorAll("button")].indexOf(focused);
      this.marks.replaceChildren(...groups.map((g) => (g.length > 1 ? this.badge(g) : this.single(g[0]))));
      const open = groups.find((g) => g.length > 1 && this.markerKey(g[0]) === this.opened);
      if (open) this.openCrowd(open, false); else this.closeCrowd(false);
      if (open && onBadge) this.marks.children[this.groupIndex(open)]?.focus();
      if (open && inList >= 0) this.crowd.querySelectorAll("button")[inList]?.focus();
    }
    groups.forEach((group, k) => {
      const button = this.marks.children[k];
      const t = group.reduce((sum, i) => sum + ts[i], 0) / group.length;
      button.style.left = `${(100 * t).toFixed(3)}%`;
      button.hidden = !(span > 0);
    });
  }

  single(i) {
    const marker = this.markers[i];
    const button = this.markButton(marker);
    button.title = marker.text;
    button.setAttribute("aria-label", marker.text);
    button.tabIndex = -1; // the list below is the keyboard's way to them
    return button;
  }

  /** One badge for crowded markers: their count; a click lists them under the track. */
  badge(group) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mark crowd";
    button.textContent = String(group.length);
    const texts = group.map((i) => this.markers[i].text);
    button.title = texts.join("\n");
    button.setAttribute("aria-label", `${group.length} moments found close together: ${texts.join("; ")}`);
    button.setAttribute("aria-controls", this.crowd.id);
    button.setAttribute("aria-expanded", "false");
    button.dataset.count = String(group.length);
    button.addEventListener("click", () => {
      if (this.opened === this.markerKey(group[0])) this.closeCrowd(false);
      else this.openCrowd(group, true);
    });
    return button;
  }

  markerKey(i) {
    const m = this.markers[i];
    return `${m.kind}:${m.x}:${m.color ?? ""}`;
  }

  openCrowd(group, focus) {
    this.opened = this.markerKey(group[0]);
    this.crowd.replaceChildren(...group.map((i) => {
      const item = document.createElement("li");
      const button = this.markButton(this.markers[i]);
      button.append(` ${this.markers[i].text}`);
      item.append(button);
      return item;
    }));
    this.crowd.hidden = false;
    for (const badge of this.marks.querySelectorAll(".crowd")) badge.setAttribute("aria-expanded", "false");
    this.marks.children[this.groupIndex(group)]?.setAttribute("aria-expanded", "true");
    if (focus) this.crowd.querySelector("button")?.focus();
  }

  groupIndex(group) {
    return this.groups.findIndex((g) => g[0] === group[0]);
  }

  closeCrowd(focusBadge) {
    const badge = [...this.marks.querySelectorAll('.crowd[aria-expanded="true"]')][0];
    this.opened = null;
    this.crowd.hidden = true;
    this.crowd.replaceChildren();
    badge?.setAttribute("aria-expanded", "false");
    if (focusBadge) badge?.focus();
  }

  nearest(x) {
    const m = this.moments;
    if (!m.length) return null;
    let lo = 0;
    let hi = m.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (m[mid].x < x) lo = mid; else hi = mid;
    }
    return Math.abs(m[lo].x - x) <= Math.abs(m[hi].x - x) ? lo : hi;
  }

  key(event) {
    const moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10, PageUp: 10 };
    const last = this.moments.length - 1;
    const at = this.index ?? last;
    let next;
    if (event.key in moves) next = Math.min(last, Math.max(0, at + moves[event.key]));
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = last;
    else return;
    event.preventDefault();
    this.pick(next);
  }

  /** Shows moment `index`; the last one means live. */
  pick(index) {
    if (index === null) return;
    if (index >= this.moments.length - 1) {
      this.goLive(true);
      return;
    }
    this.input.value = String(this.moments[index].x);
    if (index === this.index) return;
    this.index = index;
    this.root.dataset.view = "past";
    this.root.dataset.at = String(this.moments[index].at);
    this.onSeek?.(this.moments[index]);
  }

  /** Back to live; `notify` tells the page (false when the page itself went live). */
  goLive(notify = false) {
    const was = this.index;
    this.index = null;
    this.root.dataset.view = "live";
    delete this.root.dataset.at;
    this.input.value = this.input.max;
    if (notify && was !== null) this.onLive?.();
  }

  get past() {
    return this.index === null ? null : this.moments[this.index];
  }

  /** The line under the track; written in draw(), with the rest of the paint. */
  say(text) {
    if (text === this.said) return;
    this.said = text;
    this.dirty.readout = true;
    this.invalidate();
  }
}

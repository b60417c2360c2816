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
import { CROWD_PX, crowds, glyph } from "./marks.js";

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
    this.opened = null; // the opened badge: its markers' keys and its place on the track
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
    this.showMarker(button, marker);
    button.addEventListener("click", () => this.pick(this.nearest(button.marker.x)));
    return button;
  }

  /** Gives a marker's button its marker and shape (a button is kept as markers move). */
  showMarker(button, marker) {
    button.marker = marker;
    button.dataset.kind = marker.kind;
    const shape = glyph(marker.kind);
    if (marker.color) shape.style.color = marker.color; // compare: the run's colour
    const old = button.querySelector(".glyph");
    if (old) old.replaceWith(shape); else button.prepend(shape);
  }

  /**
   * Positions the markers on the track, crowded ones as one badge. A refresh updates the
   * buttons in place rather than making new ones: a click whose press and release straddle a
   * refresh would otherwise land on a button that is gone, and focus would be lost.
   */
  placeMarks(rebuild) {
    const first = this.moments[0]?.x ?? 0;
    const span = (this.moments.at(-1)?.x ?? 0) - first;
    const ts = this.markers.map((m) => (span > 0 ? Math.min(1, Math.max(0, (m.x - first) / span)) : 0));
    const groups = crowds(ts, this.marksWidth);
    this.ts = ts;
    const key = JSON.stringify(groups);
    if (rebuild || key !== this.groupsKey) {
      this.groupsKey = key;
      this.groups = groups;
      groups.forEach((group, k) => this.keepMark(k, group));
      while (this.marks.children.length > groups.length) this.marks.lastElementChild.remove();
      const open = this.stillOpen(groups);
      if (open) this.openCrowd(open, false); else this.closeCrowd(false);
    }
    groups.forEach((group, k) => {
      const button = this.marks.children[k];
      const t = this.groupAt(group);
      if (this.isOpen(group)) this.opened.at = t; // it drifts left as the run grows
      button.style.left = `${(100 * t).toFixed(3)}%`;
      button.hidden = !(span > 0);
    });
  }

  /** The k-th button on the track shows `group`: the one there if it is of the same sort. */
  keepMark(k, group) {
    const old = this.marks.children[k];
    const crowded = group.length > 1;
    if (old && old.classList.contains("crowd") === crowded) {
      if (crowded) this.fillBadge(old, group); else this.fillSingle(old, this.markers[group[0]]);
      return;
    }
    const button = crowded ? this.badge(group) : this.single(group[0]);
    const focused = old && old === document.activeElement;
    if (old) old.replaceWith(button); else this.marks.append(button);
    if (focused && crowded) button.focus(); // a keyboard user on a badge stays there
  }

  single(i) {
    const button = this.markButton(this.markers[i]);
    button.tabIndex = -1; // the list below is the keyboard's way to them
    this.fillSingle(button, this.markers[i]);
    return button;
  }

  fillSingle(button, marker) {
    this.showMarker(button, marker);
    button.title = marker.text;
    button.setAttribute("aria-label", marker.text);
  }

  /** One badge for crowded markers: their count; a click lists them under the track. */
  badge(group) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "mark crowd";
    button.setAttribute("aria-controls", this.crowd.id);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      if (this.isOpen(button.group)) this.closeCrowd(false);
      else this.openCrowd(button.group, true);
    });
    this.fillBadge(button, group);
    return button;
  }

  fillBadge(button, group) {
    button.group = group;
    const texts = group.map((i) => this.markers[i].text);
    button.textContent = String(group.length);
    button.title = texts.join("\n");
    button.setAttribute("aria-label", `${group.length} moments found close together: ${texts.join("; ")}`);
    button.dataset.count = String(group.length);
  }

  markerKey(i) {
    const m = this.markers[i];
    return `${m.kind}:${m.x}:${m.color ?? ""}`;
  }

  /** Whether `group` is the one whose list is open: it shares a marker with it. */
  isOpen(group) {
    return !!this.opened && group.some((i) => this.opened.keys.has(this.markerKey(i)));
  }

  /**
   * The crowded group that carries on the list opened before a rebuild, if any. Markers move
   * while a run plays (the best test loss moves on), so the group is recognised by a marker it
   * still shares, or else by standing where the opened badge stood.
   */
  stillOpen(groups) {
    if (!this.opened) return undefined;
    const crowded = groups.filter((g) => g.length > 1);
    const shared = crowded.find((g) => this.isOpen(g));
    if (shared) return shared;
    const off = (g) => Math.abs(this.groupAt(g) - this.opened.at) * this.marksWidth;
    return crowded.filter((g) => off(g) < CROWD_PX).sort((a, b) => off(a) - off(b))[0];
  }

  /** Where a group's badge stands on the track, as a fraction of its width. */
  groupAt(group) {
    return group.reduce((sum, i) => sum + this.ts[i], 0) / group.length;
  }

  openCrowd(group, focus) {
    const keys = new Set(group.map((i) => this.markerKey(i)));
    const listed = this.opened && [...keys].join() === [...this.opened.keys].join();
    this.opened = { keys, at: this.groupAt(group) };
    if (!listed) { // the same markers listed: keep their buttons (and whatever has focus)
      const inList = [...this.crowd.querySelectorAll("button")].indexOf(document.activeElement);
      this.crowd.replaceChildren(...group.map((i) => {
        const item = document.createElement("li");
        const button = this.markButton(this.markers[i]);
        button.append(` ${this.markers[i].text}`);
        item.append(button);
        return item;
      }));
      if (inList >= 0) this.crowd.querySelectorAll("button")[inList]?.focus();
    }
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

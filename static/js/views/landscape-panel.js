// The landscape panel of a page: the folded section's canvas, caption and hover line (drawn by
// LandscapeView) fed over the run's socket by a LandscapeFeed, with the checkpoint each path
// marks taken from the page's timeline on every paint, so scrubbing moves the marked point
// without asking the server. And the watch page's: the panel of the comparison the presenter
// shows (a lesson scene of step sizes), watched over a socket of its own while it is shown.

import { DASHES } from "../charts/compare-chart.js";
import { LandscapeFeed } from "../net/landscape-feed.js";
import { RunLink } from "../net/run-link.js";
import { LandscapeView } from "./landscape.js";

/**
 * o: {palette, link() → the RunLink whose run it shows (null: none on show), marked() → the `at`
 * shown per path (null: the latest), paths() → [{color, dash, name}], invalidate()}.
 * Returns {draw()}.
 */
export function landscapePanel(root, o) {
  const $ = (id) => root.querySelector(`#${id}`);
  const canvas = $("landscape");
  const fold = canvas.closest("details");
  const view = new LandscapeView(canvas, $("landscape-axes"), $("landscape-tip"), o);
  const feed = new LandscapeFeed({
    link: o.link,
    open: () => (!fold || fold.open) && canvas.getClientRects().length > 0, // folded or hidden: no landscape
    onAnswer: (answer) => {
      view.take(answer);
      o.invalidate();
    },
    onRefused: (error) => {
      $("landscape-axes").textContent = error.message;
    },
  });
  fold?.addEventListener("toggle", () => {
    view.dirty = true; // sized 0 while folded: draw again once it has a size
    feed.check();
    o.invalidate();
  });
  new ResizeObserver(() => {
    view.dirty = true;
    feed.check(); // shown or hidden with its section
    o.invalidate();
  }).observe(canvas);
  return {
    draw() {
      o.marked().forEach((at, index) => view.mark(index, at));
      return view.draw();
    },
  };
}

/**
 * The watch page's panel: hidden until `follow(id)` names the comparison the presenter shows,
 * then that comparison's shared plane, every run's path in its colour and dash; `follow(null)`
 * hides it again. o: {palette, invalidate()}. Returns {draw(), follow(id)}.
 */
export function shownLandscape(root, o) {
  const section = root.getElementById("landscape-panel");
  const css = (name) => getComputedStyle(section).getPropertyValue(name).trim();
  let group = null; // a RunLink watching the comparison shown, without its token
  const panel = landscapePanel(root, {
    ...o,
    link: () => group,
    marked: () => [],
    paths: () => [0, 1, 2, 3].map((i) => ({ color: css(`--run-${i}`), dash: DASHES[i] })),
  });
  const follow = (id) => {
    if ((group?.id ?? null) === (id ?? null)) return;
    group?.close({ remove: false });
    group = null;
    section.hidden = !id;
    if (!id) return;
    group = new RunLink("comparison", { onGone: () => follow(null) }); // deleted: nothing to show
    group.attach(id);
  };
  return { draw: () => panel.draw(), follow };
}

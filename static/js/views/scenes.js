// What the two pages that play lesson scenes (/present and /lessons) build alike: the run view
// and the side-by-side strip, painted by one scheduler; the page's session link; the scene stage
// that switches between that one run and a comparison; and the status on the play button, taken
// from whichever of the two is on show, with the overlay that explains a blow-up and rescues it.

import { readPalette } from "../lib/palette.js";
import { createScheduler } from "../lib/scheduler.js";
import { RunLink } from "../net/run-link.js";
import { SceneStage } from "../net/scene-stage.js";
import { RunView } from "./run-view.js";
import { RunStrip } from "./run-panels.js";
import { DivergenceBox } from "./rescue.js";
import { showPlaying } from "./run-controls.js";
import { landscapePanel } from "./landscape-panel.js";
import { DASHES } from "../charts/compare-chart.js";

/**
 * options: page (its `status` is kept current), view and strip (their options), link (the
 * session link's handlers; its status reaches the page while a single run is on show),
 * notify(text), onEnded(), holds (selectors of the buttons a blow-up holds, e.g. play).
 */
export function mountScenes(root, {
  page, view: viewOptions, strip: stripOptions, link, notify, onEnded, holds = [],
}) {
  const $ = (id) => root.ownerDocument.getElementById(id);
  const palette = readPalette(root);
  const scheduler = createScheduler(() => {
    const a = view.paint();
    const b = strip.paint();
    const c = landscape?.draw() ?? false;
    return a || b || c;
  });
  const invalidate = () => scheduler.request();
  const view = new RunView($("live"), { palette, invalidate, parts: "data-v", ...viewOptions });
  const strip = new RunStrip($("strip"), { palette, invalidate, ...stripOptions });
  const setStatus = (status) => {
    page.status = status;
    if (stage.mode === "single") view.showStatus(status);
    showPlaying(root, status);
    divergence.show(stage.mode === "single" ? status : "idle", run.plan);
  };
  const run = new RunLink("session", {
    ...link,
    onStatus: (status) => {
      link.onStatus?.(status);
      if (stage.mode === "single") setStatus(status);
    },
  });
  const divergence = new DivergenceBox($("live").querySelector('[data-v="plot"]'), {
    onRescue: () => run.rescue(), holds: holds.map((selector) => root.querySelector(selector)),
  });
  const stage = new SceneStage({
    run, strip,
    onMode: (mode) => {
      root.dataset.mode = mode;
      $("strip").hidden = mode !== "compare";
      if ($("landscape-panel")) $("landscape-panel").hidden = mode !== "compare";
    },
    onStatus: setStatus,
    onError: notify,
    onEnded,
  });
  // A comparison scene (step sizes) also shows every run's path on one slice of the loss, where
  // the page has the panel for it.
  const css = (name) => getComputedStyle(root).getPropertyValue(name).trim();
  const landscape = $("landscape") && landscapePanel(root.ownerDocument, {
    palette,
    link: () => (stage.mode === "compare" ? stage.group : null),
    marked: () => [],
    paths: () => [0, 1, 2, 3].map((i) => ({ color: css(`--run-${i}`), dash: DASHES[i] })),
    invalidate,
  });
  return { scheduler, view, strip, run, stage, setStatus };
}

// Entry point: builds the page's modules and wires them together. The one state object
// (config + view) lives in `page.state` and is mirrored into the URL hash; the server's answers
// (hello, config, frames) are the truth the page shows.

import { Controls } from "../views/controls.js";
import { RunView } from "../views/run-view.js";
import { ReadoutAnnouncer } from "../views/readouts.js";
import { bindToggle } from "../charts/epoch-axis.js";
import { resumedText, showConnection, showNotice } from "../views/run-controls.js";
import { rememberFolds } from "../lib/folds.js";
import { bindKeys } from "../lib/keyboard.js";
import { drawPreview, renderPointClasses } from "../views/legend.js";
import { runLookback } from "../views/lookback.js";
import { readPalette } from "../lib/palette.js";
import { createScheduler } from "../lib/scheduler.js";
import { whenSeen } from "../lib/repaint.js";
import { RunLink } from "../net/run-link.js";
import { mirrorHash } from "../state/hash.js";
import { EpochRate, paceOf } from "../lib/pace.js";
import { LIMITS, fromHash, randomSeed, toHash, REGRESSION } from "../state/state.js";
import { showPlan } from "../views/rescue.js";
import { state as startState, takeEarly } from "../net/early-session.js";

const root = document.getElementById("app");
rememberFolds(root);
const status = document.getElementById("server-status");
const palette = readPalette();
const page = {
  state: startState, // read from the hash by the module that asked for the session
  data: { train: [], test: [] },
  classes: 2,
  problem: "binary",
  pointClass: 0,
  status: "idle",
  served: null,
};
const saveHash = mirrorHash(() => toHash(page.state), (hash) => {
  root.ownerDocument.getElementById("compare-link").href = `/compare${hash}`;
});

const scheduler = createScheduler(() => {
  const drew = display.paint();
  const moved = landscape?.draw() ?? false;
  return timeline.draw() || moved || drew;
});
const display = new RunView(root, {
  palette,
  invalidate: () => scheduler.request(),
  onPick: pick,
  onLayerChange: (layer, delta) => {
    const layers = [...page.state.config.hidden_layers];
    layers[layer] = Math.min(LIMITS.neurons[1], Math.max(LIMITS.neurons[0], layers[layer] + delta));
    change({ hidden_layers: layers });
  },
});
bindToggle(document.getElementById("epoch-log"), document.getElementById("epoch-log-auto"));
new ReadoutAnnouncer(root);
const controls = new Controls(root, {
  onConfig: change,
  onAction: act,
  onSpeed: (pace) => {
    page.state.speed = pace;
    saveHash();
    link.speed(pace, "steps"); // a fixed pace counts mini-batches here
  },
  onView: (flag, on) => {
    page.state.view[flag] = on;
    display.setView(page.state.view);
    saveHash();
  },
});
const link = new RunLink("session", {
  onOpen: ({ id }) => {
    root.dataset.sessionId = id;
    timeline.clear();
  },
  onHello: (message) => {
    takeSession(message);
    // A new run plays at full speed until told otherwise: the page plays at the visitor's pace.
    if (paceOf(message.speed) !== page.state.speed) link.speed(page.state.speed, "steps");
    // A run at step 0 has no past but its start, which its first frame brings (and the timeline
    // asks for its markers once that frame has come): only a run under way is fetched.
    if (message.state.step > 0) {
      link.history().then((h) => display.loadHistory(h.points ?? h));
      timeline.refresh();
    }
  },
  onConfig: (message) => {
    const before = page.served;
    takeSession(message);
    timeline.refresh(300);
    // The chart went back to epoch 0: say why, in one line over it (its words come when first
    // needed: a first look at the page changes nothing).
    import("../views/new-run.js").then(({ newRunLine }) => {
      const line = newRunLine(before, message.config, message.applied);
      if (line) showNewRun(line);
    });
  },
  onStatus: setStatus,
  onFrame: (frame) => {
    scheduler.stats.frames += 1;
    display.takeFrame(frame);
    if (frame.past) return;
    epochRate.take(frame.epoch);
    if (frame.history) timeline.add({ ...frame.history.point, at: frame.history.at });
  },
  onError: (message) => {
    if (message.field === "at" && message.code === "not_found") {
      timeline.refresh(); // that moment was thinned away: fetch the ones kept
      return;
    }
    notify(message.message);
    if (message.field && link.config) showConfig(link.config);
  },
  onResumed: (message) => notify(resumedText(message)),
  onGone: () => link.recreate().then(async () => {
    const { showEnded } = await import("../views/ended.js");
    showEnded(document.getElementById("ended"));
  }),
  onConnection: (state) => showConnection(status, state),
}, { neurons: true });

const epochRate = new EpochRate(); // what the speed control shows beside the pace's name
setInterval(() => controls.showSpeed(page.status === "running" ? epochRate.rate() : null), 250);

const timeline = runLookback(root, {
  link,
  display,
  invalidate: () => scheduler.request(),
  notify,
  status: () => page.status,
  learningRate: () => page.state.config.learning_rate,
});

// The loss landscape's code (and its reads) arrive when its canvas is first seen: open and in
// view. The canvas's box is styled up front, so nothing below it moves when it comes.
let landscape = null;
whenSeen(root.querySelector("#landscape"), async () => {
  const { landscapePanel } = await import("../views/landscape-panel.js");
  landscape = landscapePanel(root, {
    palette,
    link: () => link,
    marked: () => [timeline.past?.at ?? null],
    paths: () => [{ color: getComputedStyle(root).getPropertyValue("--accent").trim(), dash: [] }],
    invalidate: () => scheduler.request(),
  });
  scheduler.request();
});

function takeSession(message) {
  page.served = message.config; // the config as the server last answered it
  page.data = message.data;
  page.problem = message.problem;
  const classesChanged = page.classes !== message.classes;
  page.classes = message.classes;
  showConfig(message.config);
  display.setSession(message);
  if (classesChanged || !root.querySelector('input[name="point-class"]')) {
    renderPointClasses(root.querySelector("#point-class-choices"), palette, Math.max(2, page.classes),
      page.pointClass, (k) => { page.pointClass = k; });
  }
  if (message.state) {
    setStatus(message.state.status);
    showPlan(root.querySelector("#rescue"), message.state.rescue);
  }
}

function showConfig(config) {
  page.state.config = structuredClone(config);
  controls.show(page.state);
  saveHash();
}

function setStatus(value) {
  if (value === page.status) return;
  page.status = value;
  controls.setPlaying(value === "running");
  controls.setDiverged(value === "diverged");
  display.showStatus(value);
  if (value === "diverged") showPlan(root.querySelector("#rescue"), link.plan);
  timeline.refresh(200);
}

/** The visitor changed config fields: show, send, and keep the hash in step. */
function change(fields) {
  const config = page.state.config;
  if (fields.dataset === "custom" && !fields.points && config.dataset !== "custom") {
    fields = { ...fields, points: [...page.data.train, ...page.data.test] };
  } else if (fields.dataset && fields.dataset !== "custom") {
    fields = { ...fields, points: null };
  }
  Object.assign(config, fields);
  controls.show(page.state);
  saveHash();
  timeline.goLive();
  link.set(fields);
  notify(null);
  showNewRun(null);
}

async function pick({ x1, x2, remove }) {
  if (REGRESSION.includes(page.state.config.dataset)) {
    notify("Points can be added to classification data; pick another dataset first.");
    return;
  }
  const points = page.state.config.dataset === "custom" && page.state.config.points
    ? page.state.config.points
    : [...page.data.train, ...page.data.test];
  const { addPoint, removeNearest } = await edits();
  const next = remove ? removeNearest(points, x1, x2) : addPoint(points, x1, x2, page.pointClass);
  if (next.length < 2 || next.length > LIMITS.n_samples[1] || next === points) return;
  change({ dataset: "custom", points: next });
}

async function act(name, detail) {
  const config = page.state.config;
  const diverged = page.status === "diverged";
  if (["toggle", "step", "reset", "rescue", "halve-reset"].includes(name)) timeline.goLive();
  if (name === "toggle" && !diverged) (page.status === "running" ? link.pause() : link.play());
  else if (name === "step" && !diverged) link.step(detail.shift ? { steps: 1 } : { epochs: 1 });
  else if (name === "reset") link.reset();
  else if (name === "new-seed") change({ seed: randomSeed() });
  else if (name === "regenerate") change({ data_seed: randomSeed() });
  else if (name === "rescue") link.rescue();
  else if (name === "halve-reset") {
    change({ learning_rate: Math.max(LIMITS.learning_rate[0], config.learning_rate / 2) });
    link.reset();
  } else if (name === "export-png") {
    (await edits()).download(await display.boundary.toBlob(), "stepwise-boundary.png");
  } else if (name === "export-csv") {
    const csv = new Blob([await link.historyCsv()], { type: "text/csv" });
    (await edits()).download(csv, "stepwise-history.csv");
  } else if (name === "export-json") {
    const snapshot = await link.snapshot(); // the server's text, numbers exactly as written
    const json = new Blob([snapshot], { type: "application/json" });
    (await edits()).download(json, "stepwise-snapshot.json");
  } else if (name === "file-csv") {
    const { points, error } = (await edits()).parseCsv(detail.text);
    if (error) notify(`${detail.name}: ${error}.`);
    else change({ dataset: "custom", points });
  } else if (name === "file-snapshot") {
    try {
      JSON.parse(detail.text); // not JSON at all: say so here; the server checks the rest
      await link.open({ snapshot: detail.text });
      notify(`Continuing the run saved in ${detail.name}.`);
    } catch (error) {
      notify(`${detail.name} could not be imported: ${error.message}`);
    }
  }
}

/** Editing points, reading a CSV and saving files: what only a visitor's action needs, fetched
 * at the first such action rather than with the page. */
function edits() {
  return import("../lib/edit.js");
}

function showNewRun(text) {
  const line = root.querySelector("#new-run");
  line.hidden = !text;
  line.textContent = text || "";
}

function notify(text) {
  showNotice(root.querySelector("#notice"), text);
}

window.addEventListener("pagehide", () => link.close());
bindKeys(document, act);
root.querySelectorAll(".dataset").forEach((label) => {
  drawPreview(label.querySelector("img"), label.dataset.dataset, palette);
});
controls.show(page.state);
controls.setSpeed(page.state.speed);
display.setView(page.state.view);
window.__stepwise = { stats: scheduler.stats, page, link, display };

link.open({ config: page.state.config }, takeEarly()).catch((error) => {
  notify(`The server refused this setup (${error.message}); starting from the defaults.`);
  page.state = fromHash("").state;
  controls.show(page.state);
  return link.open({ config: page.state.config });
}).catch(() => {
  status.dataset.state = "offline";
  status.textContent = "The server did not answer.";
});

// Entry point of /compare: two to four runs from one start, side by side, driven in lock-step
// by the server's comparison. Builds the modules and wires them; the one state object
// ({config, view, vary, values}) lives in `page.state` and is mirrored into the URL hash.

import { DASHES, OverlayChart } from "../charts/compare-chart.js";
import { RunLink } from "../net/run-link.js";
import { RunPanel } from "../views/run-panels.js";
import {
  MAX_RUNS, MIN_RUNS, VARIED, fromCompareHash, heading, parseValue, playgroundHash, showValue,
  toCompareHash, valuesFor,
} from "../state/compare-state.js";
import { comparisonLookback, showVerdicts } from "../views/compare-lookback.js";
import { nearest } from "../views/lookback.js";
import { landscapePanel } from "../views/landscape-panel.js";
import { rememberFolds } from "../lib/folds.js";
import { showEnded } from "../views/ended.js";
import { ReadoutAnnouncer } from "../views/readouts.js";
import { showConnection, showNotice, showPlaying } from "../views/run-controls.js";
import { bindKeys } from "../lib/keyboard.js";
import { TableCache, readPalette } from "../lib/palette.js";
import { formatCount } from "../lib/scales.js";
import { paceOf, parsePace } from "../lib/pace.js";
import { createScheduler } from "../lib/scheduler.js";
import { mirrorHash } from "../state/hash.js";
import { randomSeed } from "../state/state.js";

const LETTERS = "ABCD";
const root = document.getElementById("compare");
new ReadoutAnnouncer(root);
const $ = (id) => document.getElementById(id);
const palette = readPalette();
const tables = new TableCache(palette);
const style = getComputedStyle(document.documentElement);
const css = (name) => style.getPropertyValue(name).trim();
const colors = { test: css("--chart-text"), grid: css("--chart-grid"), text: css("--chart-text"),
  cursor: css("--accent") };
const page = { state: fromCompareHash(location.hash), runs: [], status: "idle" };
const saveHash = mirrorHash(() => toCompareHash(page.state));

const scheduler = createScheduler(() => {
  let drew = false;
  for (const run of page.runs) drew = run.panel.paint() || drew;
  drew = overlay.draw() || drew;
  drew = landscape.draw() || drew;
  return timeline.draw() || drew;
});
const invalidate = () => scheduler.request();
const overlay = new OverlayChart($("overlay"), $("overlay-readout"),
  { colors, invalidate, legend: $("overlay-legend") });
const link = new RunLink("comparison", {
  onOpen: (comparison) => build(comparison),
  onHello: (message) => {
    message.runs.forEach((run, i) => {
      page.runs[i]?.panel.setSession({ ...run, data: message.data });
      if (run.state.step > 0) {
        link.history(run.id).then((h) => {
          const points = h.points ?? h;
          page.runs[i]?.panel.loadHistory(points);
          overlay.clear(i);
          for (const point of points) overlay.pushRun(i, point);
        });
      }
    });
    takeGroup(message);
    timeline.refresh();
    if (paceOf(message) !== pace()) link.speed(pace()); // a new comparison plays at full speed
  },
  onGroup: (message) => takeGroup(message),
  onConfig: (message) => {
    const run = page.runs.find((r) => r.id === message.id);
    run?.panel.setSession(message);
  },
  onFrame: (frame) => {
    scheduler.stats.frames += 1;
    const i = page.runs.findIndex((r) => r.id === frame.id);
    if (i < 0) return;
    const run = page.runs[i];
    run.panel.takeFrame(frame);
    run.range = frame.grid?.range;
    run.resolution = frame.grid?.resolution ?? 64;
    if (frame.history) {
      overlay.pushRun(i, frame.history.point);
      timeline.add({ ...frame.history.point, at: frame.history.at }, i);
    }
    if (frame.history?.index === 0) run.markers = [];
    $("group-epoch").textContent = formatCount(Math.min(...page.runs.map((r) => r.panel.live?.epoch ?? 0)));
    if (frame.status === "diverged" && run.status !== "diverged") timeline.refresh(100);
    run.status = frame.status;
    showVerdicts(page.runs); // from what is known now; the markers follow with the next fetch
  },
  onError: (message) => notify(message.message),
  onGone: () => link.recreate().then(() => showEnded($("ended"))),
  onConnection: (state) => showConnection($("server-status"), state),
});
const timeline = comparisonLookback($("timeline"), {
  link,
  overlay,
  invalidate,
  runs: () => page.runs,
  status: () => page.status,
  color: (i) => css(`--run-${i}`),
});

rememberFolds(root);
const landscape = landscapePanel(root, {
  palette,
  link: () => link,
  marked: () => page.runs.map((run) => {
    const past = timeline.past;
    return past ? nearest(run.moments, past.epoch)?.at ?? null : null;
  }),
  paths: () => page.runs.map((_, i) => ({ color: css(`--run-${i}`), dash: DASHES[i], name: runName(i) })),
  invalidate,
});

/** A new comparison: one panel per run, in the order of its values. */
function build(comparison) {
  for (const run of page.runs) run.panel.remove();
  const { vary, values } = page.state;
  const runs = $("runs");
  runs.dataset.count = String(comparison.runs.length);
  root.dataset.comparisonId = comparison.id;
  page.runs = comparison.runs.map((run, index) => ({
    id: run.id,
    status: run.state.status,
    moments: [],
    markers: [],
    panel: new RunPanel(runs, {
      index, vary, value: values[index], color: css(`--run-${index}`), dash: DASHES[index].join(" "),
      palette, tables, colors, invalidate, removable: values.length > MIN_RUNS,
      onValue: changeValue, onRemove: removeRun,
    }),
  }));
  overlay.setRuns(page.runs.map((_, i) => ({ color: css(`--run-${i}`), name: runName(i) })));
  page.runs.forEach((run) => {
    run.panel.setView(page.state.view);
    run.panel.setStatus(page.status);
  });
  timeline.clear();
  $("add-run").disabled = values.length >= MAX_RUNS;
  showState();
}

const runName = (i) => `${LETTERS[i]} (${showValue(page.state.vary, page.state.values[i])})`;

function takeGroup(message) {
  setStatus(message.status);
  message.values.forEach((value, i) => {
    page.state.values[i] = value;
    page.runs[i]?.panel.showValue(message.vary, value);
  });
  overlay.renameRuns(page.runs.map((_, i) => runName(i)));
  showState();
}

function setStatus(status) {
  if (status === page.status) return;
  page.status = status;
  showPlaying(root, status);
  for (const run of page.runs) run.panel.setStatus(status);
  timeline.refresh(200);
}

// --- what the visitor does ---------------------------------------------------------------------

function act(name) {
  timeline.goLive();
  if (name === "toggle") (page.status === "running" ? link.pause() : link.play());
  else if (name === "step") link.step();
  else if (name === "reset") link.reset();
}

/** A panel's value was edited: every run starts again from the shared start, fairly. */
function changeValue(index, text) {
  let value;
  try {
    value = parseValue(page.state.vary, text);
  } catch (error) {
    return `${VARIED[page.state.vary].label}: ${error.message}.`;
  }
  timeline.goLive();
  page.state.values[index] = value;
  link.value(index, value);
  link.reset();
  overlay.renameRuns(page.runs.map((_, i) => runName(i)));
  showState();
  return null;
}

function removeRun(index) {
  if (page.state.values.length <= MIN_RUNS) return;
  page.state.values.splice(index, 1);
  restart();
}

function addRun() {
  const { vary, values } = page.state;
  if (values.length >= MAX_RUNS) return;
  const spec = VARIED[vary];
  const key = (v) => JSON.stringify(v);
  const fresh = [spec.extra, ...spec.defaults].find((v) => !values.some((w) => key(w) === key(v)));
  values.push(structuredClone(fresh ?? spec.extra));
  restart();
}

/** A comparison with other runs (count or field): made anew from the same shared config. */
function restart() {
  timeline.goLive();
  setStatus("idle");
  showState();
  const { config, vary, values } = page.state;
  link.close(); // the comparison it replaces goes, with its runs
  link.open({ config, vary, values }).catch((error) => {
    notify(`The server refused this comparison (${error.message}); starting from the defaults.`);
    page.state = { ...fromCompareHash(""), speed: page.state.speed };
    showState();
    return link.open({ config: page.state.config, vary: page.state.vary, values: page.state.values });
  }).catch(() => {
    $("server-status").dataset.state = "offline";
    $("server-status").textContent = "The server did not answer.";
  });
}

function changeConfig(fields) {
  timeline.goLive();
  Object.assign(page.state.config, fields);
  link.set(fields);
  link.reset();
  showState();
}

function notify(text) {
  showNotice($("notice"), text);
}

/** Shows the state in the shared controls and mirrors it into the hash (and the links). */
function showState() {
  const { config, view, vary, values } = page.state;
  const { title, tagline } = heading(vary);
  document.title = title;
  const line = document.querySelector(".masthead .brand p"); // the masthead's line under the name
  if (line) line.textContent = tagline;
  $("vary").value = vary;
  $("dataset").value = config.dataset;
  $("log-scale").checked = view.log;
  page.runs.forEach((run, i) => run.panel.setLink(`/#${playgroundHash(page.state, vary, values[i])}`));
  $("playground-link").href = `/#${playgroundHash(page.state, vary, values[Math.min(1, values.length - 1)])}`;
  saveHash();
}

$("play").addEventListener("click", () => act("toggle"));
$("step").addEventListener("click", () => act("step"));
$("reset").addEventListener("click", () => act("reset"));
$("add-run").addEventListener("click", addRun);
$("new-start").addEventListener("click", () => {
  if (page.state.vary === "seed") return;
  changeConfig({ seed: randomSeed() });
});
$("vary").addEventListener("change", (e) => {
  page.state.vary = e.target.value;
  page.state.values = valuesFor(e.target.value, page.state.values.length); // as many runs as before
  restart();
});
$("dataset").addEventListener("change", (e) => changeConfig({ dataset: e.target.value }));
const pace = () => parsePace($("speed").value);
// The hash keeps the pace (epochs per second here); one the list lacks joins it.
const speedChoice = String(page.state.speed);
if (![...$("speed").options].some((o) => o.value === speedChoice)) {
  $("speed").add(new Option(`${speedChoice} epochs / s`, speedChoice));
}
$("speed").value = speedChoice;
$("speed").addEventListener("change", () => {
  page.state.speed = pace();
  saveHash();
  link.speed(pace());
});
$("log-scale").addEventListener("change", (e) => {
  page.state.view.log = e.target.checked;
  overlay.setLog(e.target.checked);
  for (const run of page.runs) run.panel.setView(page.state.view);
  showState();
});
$("overlay-series").addEventListener("change", (e) => overlay.setWhich(e.target.value));
window.addEventListener("pagehide", () => link.close());
bindKeys(document, (name) => act(name));
overlay.setLog(page.state.view.log);
window.__stepwise = { stats: scheduler.stats, page, link };
restart();

// Entry point of /lessons: seven scenes, one idea each, stepped through forward and back. One
// session plays the single-run scenes (each loads its preset and starts over); the comparison
// scene runs its own comparison. The scene number lives in the URL hash (#scene=3).

import { endedText } from "../views/ended.js";
import { SCENES, scene as sceneAt } from "../state/lessons-data.js";
import { Run } from "../net/live-run.js";
import { LiveView } from "../views/liveview.js";
import { DivergenceBox } from "../views/rescue.js";
import { readPalette } from "../lib/palette.js";
import { bindPresenterKeys } from "../lib/present-keys.js";
import { RunStrip } from "../views/runstrip.js";
import { createScheduler } from "../lib/scheduler.js";
import { SceneStage, sceneConfig } from "../net/scene-stage.js";
import { randomSeed } from "../state/state.js";

const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const palette = readPalette(root);
const scheduler = createScheduler(() => {
  const a = view.paint();
  const b = strip.paint();
  return a || b;
});
const invalidate = () => scheduler.request();
const view = new LiveView($("live"), { palette, invalidate,
  plot: { radius: [2.5, 6], scale: 85 }, chart: { lineWidth: 2.5, fontSize: 12 } });
const strip = new RunStrip($("strip"), { palette, invalidate, lineWidth: 2.5,
  plot: { radius: [2, 4], scale: 90 } });
const page = { n: 1, status: "idle" };

const run = new Run({
  onHello: (message) => view.setSession(message),
  onConfig: (message) => view.setSession(message),
  onFrame: (frame) => {
    run.noteFrame(frame);
    view.takeFrame(frame);
  },
  onState: (status) => stage.mode === "single" && setStatus(status),
  onError: (message) => notify(message.message),
  onGone: () => {
    start(page.n).then(() => notify(endedText())); // after go(), which clears the notice
  },
});
const divergence = new DivergenceBox($("live").querySelector('[data-v="plot"]'), {
  onRescue: () => run.rescue(), holds: [$("play"), root.querySelector('[data-act="step"]')] });
const stage = new SceneStage({
  run, strip,
  onMode: (mode) => {
    root.dataset.mode = mode;
    $("strip").hidden = mode !== "compare";
  },
  onStatus: setStatus,
  onError: notify,
  onEnded: () => notify(endedText()),
});

function setStatus(status) {
  page.status = status;
  root.dataset.status = status;
  if (stage.mode === "single") view.showStatus(status);
  divergence.show(stage.mode === "single" ? status : "idle", run.plan);
  const playing = status === "running";
  $("play").setAttribute("aria-pressed", String(playing));
  $("play").querySelector(".label").textContent = playing ? "Pause" : "Play";
}

function render(n) {
  const scene = sceneAt(n);
  $("lesson-count").textContent = `Scene ${n} of ${SCENES.length}`;
  $("lesson-title").textContent = scene.title;
  $("lesson-text").replaceChildren(...scene.text.map((line) => {
    const p = document.createElement("p");
    p.textContent = line;
    return p;
  }));
  $("lesson-try").textContent = scene.tryThis;
  for (const node of root.querySelectorAll("[data-extra]")) {
    node.hidden = node.dataset.extra !== "reset" && !scene.controls.includes(node.dataset.extra);
  }
  $("show-test").checked = Boolean(scene.showTest);
  view.setShowTest(Boolean(scene.showTest));
  root.dataset.focus = scene.focus ?? "";
  $("prev").disabled = n === 1;
  $("next").disabled = n === SCENES.length;
  $("present-link").href = `/present#scene=${n}`;
  for (const item of $("scene-list").querySelectorAll("a")) {
    if (Number(item.dataset.scene) === n) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
  document.title = `${scene.title} — Stepwise lessons`;
}

async function go(n) {
  const scene = sceneAt(n);
  if (!scene) return;
  page.n = n;
  notify(null);
  render(n);
  const hash = `#scene=${n}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
  if (!run.id) await run.create(sceneConfig(scene));
  await stage.show(scene);
}

async function start(n) {
  run.close();
  run.id = null;
  await go(n);
}

function act(name, detail = {}) {
  if (name === "toggle") stage.toggle();
  else if (name === "forward" || name === "step") {
    if (page.status !== "running") stage.step(1);
  } else if (name === "reset") stage.reset();
  else if (name === "new-start") run.set({ seed: randomSeed() });
  else if (name === "scene") go(detail.n);
}

function notify(text) {
  $("notice").hidden = !text;
  $("notice").textContent = text || "";
}

SCENES.forEach((scene, i) => {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#scene=${i + 1}`;
  link.dataset.scene = String(i + 1);
  const number = document.createElement("span");
  number.className = "lesson-number";
  number.textContent = String(i + 1);
  link.append(number, scene.title);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    go(i + 1);
  });
  item.append(link);
  $("scene-list").append(item);
});
root.querySelectorAll("[data-act]").forEach((button) => {
  button.addEventListener("click", () => act(button.dataset.act));
});
$("show-test").addEventListener("change", (event) => view.setShowTest(event.target.checked));
$("prev").addEventListener("click", () => go(page.n - 1));
$("next").addEventListener("click", () => go(page.n + 1));
bindPresenterKeys(document, (name, detail) => {
  if (["toggle", "forward", "reset", "scene"].includes(name)) act(name, detail);
});
window.addEventListener("hashchange", () => {
  const n = Number(/scene=(\d+)/.exec(location.hash)?.[1]);
  if (sceneAt(n) && n !== page.n) go(n);
});
window.addEventListener("pagehide", () => {
  stage.close();
  run.close({ remove: true });
});
window.__stepwise = { page, run, stage, stats: scheduler.stats };
const first = Number(/scene=(\d+)/.exec(location.hash)?.[1]);
go(sceneAt(first) ? first : 1).catch((error) => notify(`The server did not start a run: ${error.message}`));

// Entry point of /lessons: seven scenes, one idea each, stepped through forward and back. One
// session plays the single-run scenes (each loads its preset and starts over); the comparison
// scene runs its own comparison. The scene number lives in the URL hash (#scene=3).

import { endedText } from "../views/ended.js";
import { SCENES, scene as sceneAt } from "../state/lessons-data.js";
import { bindPresenterKeys } from "../lib/present-keys.js";
import { sceneConfig } from "../net/scene-stage.js";
import { showNotice } from "../views/run-controls.js";
import { mountScenes } from "../views/scenes.js";
import { randomSeed } from "../state/state.js";

const root = document.getElementById("app");
const $ = (id) => document.getElementById(id);
const page = { n: 1, status: "idle" };
const { scheduler, view, run, stage } = mountScenes(root, {
  page,
  view: { plot: { radius: [2.5, 6], scale: 85 }, chart: { lineWidth: 2.5, fontSize: 12 } },
  strip: { lineWidth: 2.5, plot: { radius: [2, 4], scale: 90 } },
  holds: ["#play", '[data-act="step"]'],
  link: {
    onHello: (message) => view.setSession(message),
    onConfig: (message) => view.setSession(message),
    onFrame: (frame) => view.takeFrame(frame),
    onError: (message) => notify(message.message),
    onGone: () => {
      go(page.n).then(() => notify(endedText())); // after go(), which clears the notice
    },
  },
  notify,
  onEnded: () => notify(endedText()),
});

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
  if (!run.id) await run.open({ config: sceneConfig(scene) });
  await stage.show(scene);
}

function act(name, detail = {}) {
  if (name === "toggle") stage.toggle();
  else if (name === "forward" || name === "step") {
    if (page.status !== "running") stage.step();
  } else if (name === "reset") stage.reset();
  else if (name === "new-start") run.set({ seed: randomSeed() });
  else if (name === "scene") go(detail.n);
}

function notify(text) {
  showNotice($("notice"), text);
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
  run.close();
});
window.__stepwise = { page, run, stage, stats: scheduler.stats };
const first = Number(/scene=(\d+)/.exec(location.hash)?.[1]);
go(sceneAt(first) ? first : 1).catch((error) => notify(`The server did not start a run: ${error.message}`));

// Entry point of /embed/builder: a form for one embed (scenario, visible controls, display),
// the iframe code to paste, and a live preview that shows the postMessage conversation.
// The builder's own state is the embed's query string, kept in the URL hash.

import { CONTROLS, CONTROL_NAMES, embedQuery, readEmbed } from "../state/embed-config.js";
import { SCENES } from "../state/lessons-data.js";
import { sceneConfig } from "../net/scene-stage.js";
import { LIMITS } from "../state/state.js";
import { TIMELAPSE, parsePace } from "../lib/pace.js";

const TITLE = "Stepwise: a network learning, step by step";
const $ = (id) => document.getElementById(id);
const form = $("form");
const preview = $("preview");
const origin = location.origin;
const fields = [...form.querySelectorAll("[data-field]")];
const page = { setup: null, src: "" };

function fill(setup, size) {
  for (const input of fields) {
    const value = setup.config[input.dataset.field];
    input.value = Array.isArray(value) ? value.join(",") : String(value);
  }
  for (const box of form.querySelectorAll('input[name="control"]')) {
    box.checked = setup.controls.includes(box.value);
  }
  $("o-test").checked = setup.view.test;
  $("o-chart").checked = setup.chart;
  const speed = $("o-speed");
  const pace = String(setup.speed ?? TIMELAPSE);
  if (![...speed.options].some((o) => o.value === pace)) speed.add(new Option(`${pace} epochs / s`, pace));
  speed.value = pace;
  $("o-width").value = String(size.width);
  $("o-height").value = String(size.height);
}

/** The form as an embed setup, or an Error naming the first field that is wrong. */
function read() {
  const config = structuredClone(page.setup.config);
  for (const input of fields) {
    const key = input.dataset.field;
    if (input.tagName === "SELECT") config[key] = input.value;
    else if (key === "hidden_layers") {
      const layers = input.value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
      const [lo, hi] = LIMITS.neurons;
      if (layers.length > LIMITS.layers[1] || layers.some((n) => !Number.isInteger(n) || n < lo || n > hi)) {
        return new Error(`Hidden layers: up to ${LIMITS.layers[1]} numbers from ${lo} to ${hi}, like 4,4.`);
      }
      config[key] = layers;
    } else {
      const value = Number(input.value);
      const [lo, hi] = LIMITS[key];
      if (input.value === "" || !Number.isFinite(value) || value < lo || value > hi) {
        return new Error(`${input.labels[0].firstChild.textContent.trim()}: from ${lo} to ${hi}.`);
      }
      config[key] = value;
    }
  }
  const controls = [...form.querySelectorAll('input[name="control"]:checked')].map((b) => b.value);
  const speed = parsePace($("o-speed").value);
  const clampSize = (input, lo, hi) => Math.min(hi, Math.max(lo, Math.round(Number(input.value) || lo)));
  return {
    query: embedQuery({ config, controls, test: $("o-test").checked, speed, chart: $("o-chart").checked }),
    width: clampSize($("o-width"), 320, 1600),
    height: clampSize($("o-height"), 200, 2000),
  };
}

function update() {
  const out = read();
  $("form-error").hidden = !(out instanceof Error);
  if (out instanceof Error) {
    $("form-error").textContent = out.message;
    return;
  }
  const src = `${origin}/embed${out.query ? `?${out.query}` : ""}`;
  $("code").value = `<iframe src="${escape(src)}" title="${TITLE}" width="${out.width}" `
    + `height="${out.height}" loading="lazy" style="border:0;max-width:100%"></iframe>`;
  $("embed-link").href = src;
  $("embed-link").textContent = src;
  $("resize-code").value = resizeScript();
  preview.width = String(out.width);
  if (src !== page.src) {
    page.src = src;
    preview.height = String(out.height);
    preview.src = src;
    $("log").replaceChildren();
  }
  const hash = `#${[out.query, `width=${out.width}`, `height=${out.height}`].filter(Boolean).join("&")}`;
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

function resizeScript() {
  return `<script>
  // Stepwise embeds say how tall they are: let each frame take that height.
  addEventListener("message", (event) => {
    if (event.origin !== "${origin}" || event.data?.stepwise !== 1) return;
    if (event.data.type !== "height") return;
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow === event.source) frame.height = event.data.height;
    }
  });
</script>`;
}

const escape = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

function log(data) {
  const item = document.createElement("li");
  const { stepwise, type, ...rest } = data;
  const detail = type === "progress"
    ? `epoch ${rest.epoch}, train loss ${rest.train_loss?.toFixed(3)}`
    : JSON.stringify(rest.config ? { ...rest, config: "{…}" } : rest);
  const name = document.createElement("strong");
  name.textContent = type;
  item.append(name, ` ${detail}`);
  const list = $("log");
  list.prepend(item);
  while (list.children.length > 8) list.lastChild.remove();
}

// The preview speaks the same protocol a course page would hear.
window.addEventListener("message", (event) => {
  if (event.source !== preview.contentWindow || event.origin !== origin) return;
  if (event.data?.stepwise !== 1) return;
  if (event.data.type === "height") preview.height = String(event.data.height);
  log(event.data);
});

for (const name of CONTROLS) {
  const label = document.createElement("label");
  label.className = "check";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.name = "control";
  box.value = name;
  label.append(box, ` ${CONTROL_NAMES[name]}`);
  $("controls").append(label);
}
SCENES.forEach((scene, i) => {
  if (scene.compare) return; // a comparison is not one embeddable run
  const option = document.createElement("option");
  option.value = String(i + 1);
  option.textContent = `${i + 1} · ${scene.title}`;
  $("preset").append(option);
});
$("preset").addEventListener("change", () => {
  const scene = SCENES[Number($("preset").value) - 1];
  if (!scene) return;
  page.setup = { ...page.setup, config: sceneConfig(scene), view: { test: Boolean(scene.showTest) },
    speed: scene.speed, controls: [...new Set(["play", ...scene.controls])] };
  fill(page.setup, { width: $("o-width").value, height: $("o-height").value });
  update();
});
document.querySelectorAll("[data-send]").forEach((button) => {
  button.addEventListener("click", () => {
    preview.contentWindow?.postMessage({ stepwise: 1, type: button.dataset.send }, origin);
  });
});
$("copy-code").addEventListener("click", async () => {
  $("code").select();
  try {
    await navigator.clipboard.writeText($("code").value);
    $("copy-code").textContent = "Copied";
  } catch {
    $("copy-code").textContent = "Press Ctrl+C";
  }
  setTimeout(() => { $("copy-code").textContent = "Copy"; }, 2000);
});
form.addEventListener("input", update);
form.addEventListener("change", update);
form.addEventListener("submit", (event) => event.preventDefault());

const hash = new URLSearchParams(location.hash.slice(1));
const size = { width: Number(hash.get("width")) || 640, height: Number(hash.get("height")) || 480 };
hash.delete("width");
hash.delete("height");
page.setup = readEmbed(hash.toString());
if (!location.hash) page.setup.config = { ...page.setup.config, dataset: "xor", hidden_layers: [4, 4] };
fill(page.setup, size);
update();

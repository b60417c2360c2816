// Small pictures: the class legend and point-class chooser (shape + colour chips), and the
// dataset picker's previews. The previews are sketches of each set's shape drawn from a fixed
// pseudo-random sequence, not the server's data: they only have to be recognisable. Each is
// drawn on a canvas and shown as an image: they never change, and a canvas in the page would be
// one more layer for the browser to keep on every frame of a run.

import { SHAPES, shape } from "./board.js";
import { cssColor, pointColor } from "../lib/palette.js";

/** `canvas`'s drawing as the picture of `img` (a new image by default), encoded when the
 * browser has time: not on the way to the page's first boundary. */
function picture(canvas, img = document.createElement("img")) {
  canvas.toBlob((blob) => {
    img.addEventListener("load", () => URL.revokeObjectURL(img.src), { once: true });
    img.src = URL.createObjectURL(blob);
  });
  return img;
}

function chip(palette, label, problem, size = 14) {
  const canvas = document.createElement("canvas");
  const dpr = window.devicePixelRatio || 1;
  canvas.width = canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  ctx.fillStyle = pointColor(palette, label, problem);
  ctx.strokeStyle = cssColor(palette.ink);
  ctx.lineWidth = 1;
  const kind = problem === "regression" ? (label < 0 ? "circle" : "square") : SHAPES[label];
  shape(ctx, kind, size / 2, size / 2, size * 0.36);
  ctx.fill();
  ctx.stroke();
  const img = picture(canvas);
  img.width = img.height = size;
  img.alt = "";
  img.setAttribute("aria-hidden", "true");
  return img;
}

const NAMES = ["orange circle", "blue square", "green triangle", "pink diamond",
  "amber triangle", "sky-blue star"];

export function classLabel(k) {
  return `Class ${k + 1}`;
}

/** Fills the legend under the plot. */
export function renderLegend(container, palette, problem, classes) {
  container.replaceChildren();
  const items = problem === "regression"
    ? [[-1, "below zero"], [1, "above zero"]]
    : Array.from({ length: classes }, (_, k) => [k, `${classLabel(k)} (${NAMES[k]})`]);
  for (const [label, text] of items) {
    const span = document.createElement("span");
    span.append(chip(palette, label, problem), text);
    container.append(span);
  }
}

/** Fills the "add a point of class" chooser; returns nothing, keeps `selected` checked. */
export function renderPointClasses(container, palette, classes, selected, onPick) {
  container.replaceChildren();
  const count = Math.min(6, classes + (classes < 6 ? 1 : 0)); // one more: start a new class
  for (let k = 0; k < count; k += 1) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "point-class";
    input.value = String(k);
    input.checked = k === Math.min(selected, count - 1);
    input.addEventListener("change", () => onPick(k));
    label.append(input, chip(palette, k, "binary"), classLabel(k));
    container.append(label);
  }
}

/** A tiny fixed random sequence, so previews look the same on every load. */
function sequence(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SKETCHES = {
  circle: (r) => {
    const k = r() < 0.5 ? 1 : 0;
    const rad = k ? r() * 2.5 : 3.5 + r() * 1.5;
    const a = r() * 2 * Math.PI;
    return [rad * Math.sin(a), rad * Math.cos(a), k];
  },
  xor: (r) => {
    const x = r() * 11 - 5.5;
    const y = r() * 11 - 5.5;
    return [x, y, x * y > 0 ? 1 : 0];
  },
  gauss: (r) => {
    const k = r() < 0.5 ? 1 : 0;
    const c = k ? 2 : -2;
    return [c + (r() + r() - 1) * 1.8, c + (r() + r() - 1) * 1.8, k];
  },
  spiral: (r) => {
    const k = r() < 0.5 ? 1 : 0;
    const t = r();
    const a = 1.75 * 2 * Math.PI * t + Math.PI * k;
    return [5 * t * Math.sin(a), 5 * t * Math.cos(a), k];
  },
  moons: (r) => {
    const k = r() < 0.5 ? 1 : 0;
    const th = r() * Math.PI;
    const [x, y] = k ? [1 - Math.cos(th), 0.5 - Math.sin(th)] : [Math.cos(th), Math.sin(th)];
    return [3.5 * (x - 0.5), 3.5 * (y - 0.25), k];
  },
  blobs: (r) => {
    const k = Math.floor(r() * 3);
    const a = (2 * Math.PI * k) / 3;
    return [3.5 * Math.sin(a) + (r() - 0.5) * 2.4, 3.5 * Math.cos(a) + (r() - 0.5) * 2.4, k];
  },
  plane: (r) => {
    const x = r() * 12 - 6;
    const y = r() * 12 - 6;
    return [x, y, (x + y) / 12];
  },
  multigauss: (r) => {
    const x = r() * 12 - 6;
    const y = r() * 12 - 6;
    const bump = (cx, cy) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 4.5);
    return [x, y, bump(-3, 3) - bump(3, 3) - bump(-3, -3) + bump(3, -3)];
  },
  custom: (r) => {
    const x = r() * 10 - 5;
    const y = r() * 10 - 5;
    return [x, y, r() < 0.5 ? 0 : 1];
  },
};

/** Draws a sketch of `name` as the picture of `img` (48 px, at devicePixelRatio). */
export function drawPreview(img, name, palette) {
  const canvas = document.createElement("canvas");
  const dpr = window.devicePixelRatio || 1;
  const size = 48;
  canvas.width = canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  ctx.fillStyle = cssColor(palette.paper);
  ctx.fillRect(0, 0, size, size);
  const r = sequence(name.length * 7919 + name.charCodeAt(0));
  const regression = name === "plane" || name === "multigauss";
  const count = name === "custom" ? 14 : 90;
  for (let i = 0; i < count; i += 1) {
    const [x, y, label] = SKETCHES[name](r);
    ctx.fillStyle = pointColor(palette, label, regression ? "regression" : "multiclass");
    ctx.beginPath();
    ctx.arc(((x + 6) / 12) * size, ((6 - y) / 12) * size, name === "custom" ? 2.2 : 1.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  picture(canvas, img);
}

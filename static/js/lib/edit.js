// Editing the data by hand: adding and removing points, and reading a CSV of x1,x2,label.
// Pure functions over [[x1, x2, label], ...] lists.

const EXTENT = 6;
export const MAX_POINTS = 5000;

export function addPoint(points, x1, x2, label) {
  return [...points, [round(x1), round(x2), label]];
}

/** The list without the point nearest (x1, x2), if one lies within `radius`. */
export function removeNearest(points, x1, x2, radius = 0.5) {
  let best = -1;
  let bestDistance = radius;
  points.forEach(([a, b], i) => {
    const d = Math.hypot(a - x1, b - x2);
    if (d <= bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best < 0 ? points : points.filter((_, i) => i !== best);
}

const round = (v) => Math.round(v * 1000) / 1000;

/**
 * Points from CSV text: one x1,x2,label row per line, an optional header, commas, semicolons
 * or tabs. Returns {points, error}; error names the first bad line.
 */
export function parseCsv(text) {
  const points = [];
  const lines = text.split(/\r?\n/);
  let first = true;
  for (let n = 0; n < lines.length; n += 1) {
    const line = lines[n].trim();
    if (!line || line.startsWith("#")) continue;
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const values = cells.map(Number);
    const header = first && cells.some((c) => c !== "" && Number.isNaN(Number(c)));
    first = false;
    if (header) continue;
    if (values.length < 3 || !values.slice(0, 3).every(Number.isFinite)) {
      return { points: [], error: `line ${n + 1} is not x1,x2,label` };
    }
    const [x1, x2, label] = values;
    if (Math.abs(x1) > EXTENT || Math.abs(x2) > EXTENT) {
      return { points: [], error: `line ${n + 1}: points must lie between -6 and 6` };
    }
    if (!Number.isInteger(label) || label < 0 || label > 5) {
      return { points: [], error: `line ${n + 1}: labels must be whole numbers 0 to 5` };
    }
    points.push([round(x1), round(x2), label]);
  }
  if (points.length < 2) return { points: [], error: "the file needs at least two points" };
  if (points.length > MAX_POINTS) return { points: [], error: `at most ${MAX_POINTS} points` };
  return { points, error: null };
}

/** Saves `blob` under `name` through a temporary link. */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

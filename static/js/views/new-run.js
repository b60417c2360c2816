// The one line a page shows when a change of config made a new run (the server's `applied` is
// "data" or "rebuild"): what changed, so that a loss chart back at epoch 0 is no surprise.

const DATA = ["dataset", "classes", "noise", "n_samples", "train_fraction", "data_seed", "points"];
const NETWORK = ["features", "hidden_layers", "activation"];

const differs = (a, b, fields) => fields.some((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));

/** The line for a change from config `before` to `after`; null when the run went on. */
export function newRunLine(before, after, applied) {
  if (applied === "live") return null;
  const changed = [];
  if (before && differs(before, after, DATA)) changed.push("the data");
  if (before && differs(before, after, NETWORK)) changed.push("the network");
  if (before && before.seed !== after.seed) changed.push("the starting weights");
  if (changed.length === 0) changed.push(applied === "data" ? "the data" : "the network");
  const last = changed.pop();
  return `New run from epoch 0: ${changed.length ? `${changed.join(", ")} and ` : ""}${last} changed.`;
}

// Folded sections (<details data-fold="name">) remember whether the visitor left them open,
// so the page comes back the way it was arranged, across reloads and visits.

const KEY = "stepwise.folds";
const PHONE = "(max-width: 760px)"; // data-fold-phone="closed": folded there until opened

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "{}") || {};
  } catch {
    return {}; // storage off or garbled: every fold keeps the page's default
  }
}

/** Restores and then remembers the open state of every fold under `root`. */
export function rememberFolds(root = document) {
  const saved = load();
  for (const fold of root.querySelectorAll("details[data-fold]")) {
    const name = fold.dataset.fold;
    if (typeof saved[name] === "boolean") fold.open = saved[name];
    else if (fold.dataset.foldPhone === "closed" && matchMedia(PHONE).matches) fold.open = false;
    fold.addEventListener("toggle", () => {
      const now = load();
      now[name] = fold.open;
      try {
        localStorage.setItem(KEY, JSON.stringify(now));
      } catch {
        // storage full or off: the fold still works, it just won't be remembered
      }
    });
  }
}

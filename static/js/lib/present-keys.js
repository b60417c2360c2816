// The presenter's keys, for a keyboard or a presentation clicker (which sends PageDown/PageUp,
// and often "b" or "." from its blank-screen button):
//   space, b, .        play or pause
//   →, PageDown        one step forward (or forward through the past, when looking back)
//   ←, PageUp          back through the timeline
//   1–7                jump to a lesson scene
//   ↑ / ↓              larger / smaller step size
//   f                  full screen;  s  show or hide the share panel;  r  reset
//   n                  a new start: the same setup from new random weights
// Keys typed into a focused text box, select or slider stay with it.

const KEYS = {
  " ": "toggle", b: "toggle", B: "toggle", ".": "toggle",
  ArrowRight: "forward", PageDown: "forward",
  ArrowLeft: "back", PageUp: "back",
  ArrowUp: "larger", ArrowDown: "smaller",
  f: "fullscreen", F: "fullscreen",
  s: "share", S: "share",
  r: "reset", R: "reset",
  n: "new-start", N: "new-start",
};

function ownsKey(element, key) {
  if (!(element instanceof HTMLElement)) return false;
  if (element.isContentEditable || ["TEXTAREA", "SELECT"].includes(element.tagName)) return true;
  if (element.tagName === "BUTTON") return key === " " || key === "Enter";
  if (element.tagName !== "INPUT") return false;
  if (element.type === "range") return key.startsWith("Arrow") || key.startsWith("Page");
  if (element.type === "checkbox" || element.type === "radio") return key === " ";
  return true;
}

/** Calls onAction(name, detail) for each presenter key; returns a function that unbinds. */
export function bindPresenterKeys(target, onAction) {
  const listener = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (ownsKey(event.target, event.key)) {
      // A focused button would take space as a click: the presenter means play/pause.
      if (!(event.target.tagName === "BUTTON" && event.key === " ")) return;
    }
    if (/^[1-9]$/.test(event.key)) onAction("scene", { n: Number(event.key) });
    else if (KEYS[event.key]) onAction(KEYS[event.key], {});
    else return;
    event.preventDefault();
  };
  target.addEventListener("keydown", listener);
  return () => target.removeEventListener("keydown", listener);
}

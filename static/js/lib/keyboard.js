// Keyboard shortcuts: space plays or pauses, → steps (shift: one mini-batch), r resets.
// Keys go to the focused control first: text boxes keep every key, sliders and radio groups
// their arrows, buttons and check boxes their space.

function ownsKey(element, key) {
  if (!(element instanceof HTMLElement)) return false;
  if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") {
    return true;
  }
  if (element.tagName === "BUTTON" || element.tagName === "SUMMARY") return key === " ";
  if (element.tagName !== "INPUT") return false;
  const type = element.type;
  if (type === "range") return key.startsWith("Arrow");
  if (type === "radio") return key.startsWith("Arrow") || key === " ";
  if (type === "checkbox" || type === "file") return key === " ";
  return true; // text, number: typing
}

export function bindKeys(target, onAction) {
  target.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (ownsKey(event.target, event.key)) return;
    if (event.key === " ") onAction("toggle", {});
    else if (event.key === "ArrowRight") onAction("step", { shift: event.shiftKey });
    else if (event.key === "r" || event.key === "R") onAction("reset", {});
    else return;
    event.preventDefault();
  });
}

// A diverged run, said where the eye is: an overlay on the plot explains what happened and offers
// the rescue in the exact words of what it will do. The words come from the server's plan
// (state.rescue: the epoch it rewinds to, the step size it continues with and the one it halves),
// so the button never promises something the server would not do. While the run is diverged,
// the buttons that cannot train (play, step) say why, pointing at the overlay.

import { formatCount } from "../lib/scales.js";

export const DIVERGED_TEXT = "The steps were too large: each one overshot, and the error grew"
  + " without bound. Training stopped and kept its last good moment.";
const HELD = "Stopped: the run blew up. See the message on the plot.";

/** The rescue button's words for `plan` ({epoch, learning_rate, from_learning_rate}); step sizes
 * are written as the step size field writes them. */
export function rescueText(plan) {
  const x = String(plan.learning_rate);
  const y = String(plan.from_learning_rate);
  const why = plan.learning_rate === plan.from_learning_rate / 2
    ? `half of ${y}, the last step size that was stable`
    : `the smallest there is; ${y} was the last step size that was stable`;
  return `Rewind to epoch ${formatCount(plan.epoch)} and continue with step size ${x} (${why})`;
}

/** Shows `plan` on the rescue `button`: hidden when there is none (no stable moment kept). */
export function showPlan(button, plan) {
  button.hidden = !plan;
  const text = plan ? rescueText(plan) : "";
  if (button.textContent !== text) button.textContent = text;
}

/** Disables `buttons` while `diverged`, each telling why and pointing at the overlay `reasonId`. */
export function holdButtons(buttons, diverged, reasonId) {
  for (const button of buttons) {
    if (!button) continue;
    button.disabled = diverged;
    if (diverged) {
      button.title = HELD;
      button.setAttribute("aria-describedby", reasonId);
    } else if (button.title === HELD) {
      button.removeAttribute("title");
      button.removeAttribute("aria-describedby");
    }
  }
}

/**
 * The overlay of a classroom page's board: built into `board` (the plot's element), hidden until
 * the run diverges. `onRescue` runs when the rescue is chosen; `holds` are the buttons to hold.
 */
export class DivergenceBox {
  constructor(board, { onRescue, holds = [] }) {
    this.holds = holds;
    this.box = document.createElement("div");
    this.box.className = "run-status";
    this.box.hidden = true;
    this.message = document.createElement("p");
    this.message.id = `${board.closest("[id]")?.id ?? "run"}-diverged`;
    this.message.textContent = DIVERGED_TEXT;
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "primary";
    this.button.dataset.rescue = "";
    this.button.addEventListener("click", () => onRescue());
    this.box.append(this.message, this.button);
    board.append(this.box);
  }

  /** The run's status and, when diverged, its rescue plan (from a state or a frame). */
  show(status, plan) {
    const diverged = status === "diverged";
    this.box.hidden = !diverged;
    holdButtons(this.holds, diverged, this.message.id);
    if (diverged) showPlan(this.button, plan ?? null);
  }
}

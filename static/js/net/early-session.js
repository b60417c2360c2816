// The playground's session, asked for as soon as this small module arrives — while the page's
// other modules are still on their way — so that the server is making the run when the page is
// ready to watch it. The page's state starts from the same hash the request was made from.

import { createSession } from "./api.js";
import { fromHash } from "../state/state.js";

export const state = fromHash(location.hash).state;
const asked = createSession(structuredClone(state.config));
asked.catch(() => {}); // the page hears of a refusal when it takes the answer

/** The answer to the request made while loading, once: later runs are asked for again. */
let taken = false;
export function takeEarly() {
  if (taken) return null;
  taken = true;
  return asked;
}

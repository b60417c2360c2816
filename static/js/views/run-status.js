// How a page shows the state of its run and of its link to the server: the play button (pressed
// and labelled Pause while playing) with the status as a style and test hook, and the words for
// connecting, live and reconnecting. Every page with a run uses these, so they read the same.

const CONNECTION_TEXT = { connecting: "Connecting…", open: "Live", closed: "Reconnecting…" };

/** root's data-status, and the page's #play button, for `status` (running, idle, diverged). */
export function showPlaying(root, status) {
  root.dataset.status = status;
  const play = root.ownerDocument.getElementById("play");
  const playing = status === "running";
  play.setAttribute("aria-pressed", String(playing));
  play.querySelector(".label").textContent = playing ? "Pause" : "Play";
}

/** The server-status badge of the playground and compare pages: data-state ready, … offline. */
export function showConnection(badge, state) {
  badge.dataset.state = { open: "ready", closed: "offline" }[state] ?? state;
  badge.textContent = CONNECTION_TEXT[state];
}

/** The connection line of the watch and embed pages, with root's data-connection as its hook. */
export function showConnectionLine(root, line, state) {
  root.dataset.connection = state;
  line.textContent = CONNECTION_TEXT[state];
}

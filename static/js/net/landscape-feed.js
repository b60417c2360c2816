// Keeps a loss landscape coming over the run's own socket while someone can see it: it asks the
// run link on show ({"type": "landscape", "on": true}) while the panel is open and the page
// visible, and says "off" when the panel is folded, the page hidden or another run comes on show.
// The server sends at most twice a second while the run plays and once when it stops, and only
// to sockets that asked — so the page never polls, and never reads a run that is already gone.
// No DOM here beyond asking whether the panel is open.

const RESOLUTION = 41;
const CHECK_MS = 250; // how often it looks whether the panel or the run on show changed

export class LandscapeFeed {
  /**
   * o: {link() → the RunLink on show, or null; open() → whether anyone can see the panel;
   * onAnswer(answer); onRefused(error) - the runs share no plane}
   */
  constructor(o) {
    this.o = o;
    this.asked = null; // the link asked, if any
    setInterval(() => this.check(), CHECK_MS);
    document.addEventListener("visibilitychange", () => this.check());
  }

  /** Asks the link on show when the panel can be seen; tells the one asked before to stop. */
  check() {
    const link = !document.hidden && this.o.open() ? this.o.link() ?? null : null;
    if (link === this.asked) return;
    this.asked?.landscape(null);
    this.asked = link;
    link?.landscape(RESOLUTION, (answer) => this.o.onAnswer(answer), (error) => this.o.onRefused?.(error));
  }
}

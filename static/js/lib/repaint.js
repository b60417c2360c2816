// What a paint need not redo. A byte grid already on a canvas is not painted again (what was
// painted is kept as a copy, so a decoder that reuses its buffer cannot fool the check), and a
// number that changes has its text node's data changed rather than the node replaced: a new node
// is styled afresh, new data is only laid out again. A part out of view is drawn less often, and
// a part never seen need not even be loaded.

/** Whether `bytes` equals `kept` (a copy made by keep()). */
export function sameBytes(bytes, kept) {
  if (!bytes || !kept || bytes.length !== kept.length) return false;
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i] !== kept[i]) return false;
  return true;
}

export function keep(bytes) {
  return Uint8Array.from(bytes);
}

/** Sets `node`'s text to `value`, changing its one text node in place when it has one. */
export function setText(node, value) {
  const only = node.firstChild;
  if (only && only.nodeType === Node.TEXT_NODE && !only.nextSibling) {
    if (only.data !== value) only.data = value;
  } else {
    node.textContent = value;
  }
}

const OFFSCREEN_MS = 500; // what is scrolled out of view is brought up to date this often

/**
 * Paces a part's drawing by whether it is on screen: `due()` says whether to draw now — always
 * while it is in view, at most every OFFSCREEN_MS while it is not (a test or a screen reader may
 * still read it) — and when it is not due, asks `invalidate` again once it is. Coming back into
 * view asks for a paint at once, and a part that holds the keyboard's focus is always due: the
 * visitor is using it, wherever it is scrolled.
 */
export class OnScreen {
  constructor(element, invalidate) {
    this.element = element;
    this.visible = true;
    this.drawnAt = -Infinity;
    this.timer = 0;
    this.invalidate = invalidate;
    new IntersectionObserver(([entry]) => {
      this.visible = entry.isIntersecting;
      if (this.visible) invalidate();
    }).observe(element);
  }

  due() {
    const now = performance.now();
    const used = this.element.contains(document.activeElement);
    const wait = this.visible || used ? 0 : this.drawnAt + OFFSCREEN_MS - now;
    if (wait <= 0) {
      this.drawnAt = now;
      return true;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.invalidate();
      }, wait);
    }
    return false;
  }
}

/**
 * Calls `start` once, the first time `element` is on screen — not while it is scrolled out of
 * view, nor while it sits in a closed fold (it has no box there) — so that a part's code and
 * data are fetched when someone can see it, not with the page's first load.
 */
export function whenSeen(element, start) {
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    start();
  });
  observer.observe(element);
}

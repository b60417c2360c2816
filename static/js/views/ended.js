// A run the server no longer has — it restarted, or the run sat unwatched past the idle expiry —
// is made again from the page's link, from epoch 0. The page must say so rather than carry on
// as if nothing happened: endedText() is that sentence, and showEnded() puts it in the page's
// banner (templates: an element with data-ended, holding a [data-ended-text] and a close
// button). The idle expiry comes from the server's settings, through <body data-idle-expiry>.

/**
 * "This run ended (…idle for 30 minutes). Started again from the link." A page that cannot
 * start the run again (a watcher's) leaves out the second sentence with `again: false`.
 */
export function endedText({ again = true, doc = document } = {}) {
  const idle = doc.body.dataset.idleExpiry || "a while";
  const ended = `This run ended (the server restarted, or it sat idle for ${idle}).`;
  return again ? `${ended} Started again from the link.` : ended;
}

/** Shows the banner `box` with the sentence; its close button hides it again. */
export function showEnded(box) {
  if (!box) return;
  const text = box.querySelector("[data-ended-text]");
  box.hidden = false; // shown before the text goes in, so that screen readers read the alert
  text.textContent = endedText({ doc: box.ownerDocument });
  const close = box.querySelector("button");
  if (close && !close.dataset.wired) {
    close.dataset.wired = "1";
    close.addEventListener("click", () => {
      box.hidden = true;
    });
  }
}

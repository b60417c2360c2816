// The presenter's share panel: the short watch link, its QR code and how many are watching.
// Only DOM here; the page fetches the share and hands it in.

/** Fills the panel from GET …/share: {watch_url, qr_url, code}. */
export function showShare(panel, share) {
  const link = panel.querySelector("[data-share=link]");
  link.href = share.watch_url;
  // Break the short link, if it must break, before its code rather than inside it.
  const shown = share.watch_url.replace(/^https?:\/\//, "");
  const cut = shown.indexOf("/w/");
  link.replaceChildren(shown.slice(0, cut), document.createElement("wbr"), shown.slice(cut));
  const qr = panel.querySelector("[data-share=qr]");
  qr.src = share.qr_url;
  qr.alt = `QR code of the watch link ${share.watch_url}`;
  panel.dataset.ready = "true";
}

/** How many watch a run that `viewers` sockets follow: every one but the presenter's own.
 * The presenter and each watcher (/watch) show this one number, so they always agree. */
export function watchingCount(viewers) {
  return Math.max(0, viewers - 1);
}

export function watchingText(watching) {
  return watching === 1 ? "1 watching" : `${watching} watching`;
}

/** Shows the number watching on each of `nodes`. */
export function showWatchers(nodes, viewers) {
  const watching = watchingCount(viewers);
  for (const node of nodes) {
    node.textContent = watchingText(watching);
    node.dataset.count = String(watching);
  }
}

// A page's state mirrored into its URL hash: written at most every 250 ms and without adding
// history entries; a hash changed by someone else (the address bar, a link to another setup)
// reloads the page, which then starts from it.

const WRITE_MS = 250;

/** Returns save(): writes `#${encode()}` soon, then tells onWritten(hash). */
export function mirrorHash(encode, onWritten = () => {}) {
  let timer = 0;
  let written = location.hash;
  window.addEventListener("hashchange", () => {
    if (location.hash !== written) location.reload();
  });
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      written = `#${encode()}`;
      if (written !== location.hash) history.replaceState(null, "", written);
      onWritten(written);
    }, WRITE_MS);
  };
}

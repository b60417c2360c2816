// Paints at most once per animation frame, however many frames arrive: callers only ask for a
// paint; the paint itself runs in the next requestAnimationFrame. Keeps counters of paints and
// their cost for the benchmark (window.__stepwise.stats).

const KEEP = 600; // paint times kept for the median

export function createScheduler(paint) {
  const stats = { frames: 0, paints: 0, times: [], lastMs: 0, medianMs: 0 };
  let pending = false;

  function run() {
    pending = false;
    const start = performance.now();
    const painted = paint();
    if (painted === false) return;
    const ms = performance.now() - start;
    stats.paints += 1;
    stats.lastMs = ms;
    stats.times.push(ms);
    if (stats.times.length > KEEP) stats.times.splice(0, stats.times.length - KEEP);
  }

  stats.median = () => {
    const sorted = [...stats.times].sort((a, b) => a - b);
    return sorted.length ? sorted[sorted.length >> 1] : 0;
  };

  return {
    stats,
    request() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(run);
    },
  };
}

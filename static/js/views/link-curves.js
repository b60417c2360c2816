// The curves the network diagram joins two neurons with, and how far a point is from one (to
// find the link under the pointer). A link leaves neuron `a`'s right edge and enters `b`'s left,
// both boxes `n` px wide, as a symmetric Bezier.

export function curve(ctx, a, b, n) {
  const x0 = a.x + n;
  const y0 = a.y + n / 2;
  const x1 = b.x;
  const y1 = b.y + n / 2;
  const mx = (x0 + x1) / 2;
  ctx.moveTo(x0, y0);
  ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
}

export function distanceToCurve(px, py, a, b, n) {
  const x0 = a.x + n;
  const y0 = a.y + n / 2;
  const x1 = b.x;
  const y1 = b.y + n / 2;
  if (px < x0 - 4 || px > x1 + 4) return Infinity;
  // On this symmetric Bezier x runs monotonically; sample it and take the nearest sample.
  let best = Infinity;
  for (let s = 0; s <= 16; s += 1) {
    const t = s / 16;
    const u = 1 - t;
    const x = u * u * u * x0 + 3 * u * t * ((x0 + x1) / 2) + t * t * t * x1;
    const y = u * u * u * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t * t * t * y1;
    best = Math.min(best, Math.hypot(px - x, py - y));
  }
  return best;
}

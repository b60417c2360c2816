// The input features the network can be given, as functions of (x1, x2), with their labels and
// their small maps over [-6, 6]² for the diagram's input neurons. Drawing a feature is not
// training: it is the same picture whatever the weights.

export const FEATURE_INFO = {
  x1: { label: "x₁", fn: (a) => a },
  x2: { label: "x₂", fn: (a, b) => b },
  x1_sq: { label: "x₁²", fn: (a) => a * a },
  x2_sq: { label: "x₂²", fn: (a, b) => b * b },
  x1x2: { label: "x₁x₂", fn: (a, b) => a * b },
  sin_x1: { label: "sin x₁", fn: (a) => Math.sin(a) },
  sin_x2: { label: "sin x₂", fn: (a, b) => Math.sin(b) },
  cos_x1: { label: "cos x₁", fn: (a) => Math.cos(a) },
  cos_x2: { label: "cos x₂", fn: (a, b) => Math.cos(b) },
};

const cache = new Map();

/** {bytes, range}: the feature over a resolution² grid (cell centres, row 0 at x2 = +6). */
export function featureMap(name, resolution) {
  const key = `${name}@${resolution}`;
  if (cache.has(key)) return cache.get(key);
  const { fn } = FEATURE_INFO[name];
  const values = new Float64Array(resolution * resolution);
  let span = 0;
  for (let row = 0; row < resolution; row += 1) {
    const x2 = 6 - ((row + 0.5) * 12) / resolution;
    for (let col = 0; col < resolution; col += 1) {
      const x1 = -6 + ((col + 0.5) * 12) / resolution;
      const v = fn(x1, x2);
      values[row * resolution + col] = v;
      span = Math.max(span, Math.abs(v));
    }
  }
  // A symmetric range keeps zero white: x1² is all one colour, as it should be.
  const range = [-span || -1, span || 1];
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i += 1) {
    bytes[i] = Math.round(((values[i] - range[0]) / (range[1] - range[0])) * 255);
  }
  const map = { bytes, range };
  cache.set(key, map);
  return map;
}

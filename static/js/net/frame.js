// Decodes one binary frame (see the README's "WebSocket protocol"): a 4-byte little-endian
// header length L, L bytes of JSON, then the payload the header's offsets point into.
// Returns plain objects holding typed-array views onto the message; nothing is copied unless a
// float array is misaligned.

const decoder = new TextDecoder();

export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  const length = view.getUint32(0, true);
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, length)));
  const base = 4 + length;
  const frame = { ...header, grid: null, weights: null, neurons: null };

  if (header.grid) {
    const { offset, resolution } = header.grid;
    frame.grid = { ...header.grid, bytes: new Uint8Array(buffer, base + offset, resolution ** 2) };
  }
  if (header.weights) {
    frame.weights = readWeights(buffer, base + header.weights.offset, header.weights.shapes);
  }
  if (header.neurons) {
    frame.neurons = readNeurons(buffer, base + header.neurons.offset, header.neurons);
  }
  return frame;
}

function floats(buffer, start, count) {
  if (start % 4 === 0) return new Float32Array(buffer, start, count);
  return new Float32Array(buffer.slice(start, start + 4 * count));
}

/** [{w: Float32Array (inputs*outputs, row-major), b: Float32Array, inputs, outputs}, ...] */
function readWeights(buffer, start, shapes) {
  const layers = [];
  let at = start;
  for (let i = 0; i + 1 < shapes.length; i += 2) {
    const [inputs, outputs] = shapes[i];
    const w = floats(buffer, at, inputs * outputs);
    at += 4 * inputs * outputs;
    const b = floats(buffer, at, shapes[i + 1][0]);
    at += 4 * shapes[i + 1][0];
    layers.push({ inputs, outputs, w, b });
  }
  return layers;
}

/** {resolution, layers: [{range, cells: [Uint8Array per neuron]}]} */
function readNeurons(buffer, start, { resolution, layers }) {
  const size = resolution * resolution;
  let at = start;
  return {
    resolution,
    layers: layers.map(({ width, range }) => {
      const cells = [];
      for (let j = 0; j < width; j += 1) {
        cells.push(new Uint8Array(buffer, at, size));
        at += size;
      }
      return { range, cells };
    }),
  };
}

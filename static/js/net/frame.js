// Reads binary frames (the README's "Frames"), version 2: each message is a zlib stream; inflated,
// a 4-byte little-endian header length L, L bytes of JSON, then the payload the header's offsets
// point into. A delta frame (its header has `base`) lists only the fields that changed and a
// payload to add byte by byte to the last frame of the same run, so one reader reads one socket,
// in order. Frames come out as plain objects the views know: the grid and the neurons' cells as
// bytes 0-255 (the wire carries 32 levels), the weights as Float32Arrays.

const decoder = new TextDecoder();

/** A message's bytes inflated; start it on arrival, so frames inflate while others apply. */
export async function inflate(buffer) {
  // Written straight into the stream: going through a Blob's stream costs several times more.
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  writer.write(new Uint8Array(buffer)).catch(() => {}); // a bad message fails the read below
  writer.close().catch(() => {});
  return new Response(stream.readable).arrayBuffer();
}

export class FrameReader {
  constructor() {
    this.last = new Map(); // run id -> { header, payload } as last read, deltas applied
  }

  /** The whole frame `buffer` brings; rejects a delta whose base this reader never read. */
  async read(buffer) {
    return this.apply(await inflate(buffer));
  }

  /** The whole frame of an inflated message; frames must be applied in the order sent. */
  apply(data) {
    const length = new DataView(data).getUint32(0, true);
    let header = JSON.parse(decoder.decode(new Uint8Array(data, 4, length)));
    let payload = new Uint8Array(data, 4 + length);
    if (header.base !== undefined) {
      const before = this.last.get(header.id);
      if (!before || before.header.seq !== header.base) {
        throw new Error(`frame ${header.seq} applies to frame ${header.base}, not read here`);
      }
      header = { ...before.header, ...header };
      const sum = new Uint8Array(payload.length);
      for (let i = 0; i < sum.length; i += 1) sum[i] = before.payload[i] + payload[i];
      payload = sum;
    }
    this.last.set(header.id, { header, payload });
    return toFrame(header, payload);
  }
}

function toFrame(header, payload) {
  const frame = { ...header, grid: null, weights: null, neurons: null };
  if (header.grid) {
    const { offset, resolution, encoding, levels } = header.grid;
    const cells = payload.subarray(offset, offset + resolution ** 2);
    const bytes = encoding === "class" ? cells.slice() : widen(cells, levels);
    frame.grid = { ...header.grid, bytes };
  }
  if (header.weights) frame.weights = readWeights(payload, header.weights);
  if (header.neurons) frame.neurons = readNeurons(payload, header.neurons);
  return frame;
}

/** Levels 0..top as bytes 0..255, the scale the views paint with. */
function widen(cells, top) {
  const out = new Uint8Array(cells.length);
  for (let i = 0; i < cells.length; i += 1) out[i] = Math.round((cells[i] * 255) / top);
  return out;
}

function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** [{w: Float32Array (inputs*outputs, row-major), b: Float32Array, inputs, outputs}, ...] */
function readWeights(payload, { offset, shapes }) {
  const view = new DataView(payload.buffer, payload.byteOffset + offset);
  let at = 0;
  const floats = (count) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 1, at += 2) out[i] = half(view.getUint16(at, true));
    return out;
  };
  const layers = [];
  for (let i = 0; i + 1 < shapes.length; i += 2) {
    const [inputs, outputs] = shapes[i];
    const w = floats(inputs * outputs);
    const b = floats(shapes[i + 1][0]);
    layers.push({ inputs, outputs, w, b });
  }
  return layers;
}

/** {resolution, layers: [{range, cells: [Uint8Array per neuron, bytes 0-255]}]} */
function readNeurons(payload, { offset, resolution, layers, levels }) {
  const size = resolution * resolution;
  let at = offset;
  return {
    resolution,
    layers: layers.map(({ width, range }) => {
      const cells = [];
      for (let j = 0; j < width; j += 1) {
        cells.push(widen(payload.subarray(at, at + size), levels));
        at += size;
      }
      return { range, cells };
    }),
  };
}

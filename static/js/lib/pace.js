// The pace a run plays at, as the pages name it: "timelapse" (slow at first, then rising with the
// epoch up to full speed; the server's curve), "full" (as fast as it goes) or a fixed number per
// second — and the epochs per second it really plays at, measured from the frames it sends.

export const TIMELAPSE = "timelapse";
export const FULL = "full";

/** The socket's speed message for a pace; a number counts `unit` (steps or epochs) per second. */
export function speedMessage(pace, unit = "epochs_per_second") {
  if (pace === TIMELAPSE) return { type: "speed", timelapse: true };
  return typeof pace === "number" && pace > 0 ? { type: "speed", [unit]: pace } : { type: "speed" };
}

/** The pace a server's speed (a hello, state or group message) describes. */
export function paceOf(speed) {
  if (speed?.timelapse) return TIMELAPSE;
  return speed?.steps_per_second ?? speed?.epochs_per_second ?? FULL;
}

/** A pace read from a URL ("full", a positive number, or absent for the time-lapse). */
export function parsePace(text, max = Infinity) {
  if (text === null || text === undefined || text === "" || text === TIMELAPSE) return TIMELAPSE;
  if (text === FULL) return FULL;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error("speed is not a pace");
  return n;
}

/** Epochs per second over the last `windowMs` of frames; null when no frame came lately. */
export class EpochRate {
  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
    this.samples = [];
  }

  take(epoch, now = performance.now()) {
    const last = this.samples.at(-1);
    if (last && epoch < last.epoch) this.samples = []; // a reset or a rewind: start again
    this.samples.push({ epoch, now });
    while (this.samples.length > 2 && now - this.samples[1].now >= this.windowMs) this.samples.shift();
  }

  rate(now = performance.now()) {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || first === last || now - last.now > this.windowMs) return null;
    return ((last.epoch - first.epoch) * 1000) / (last.now - first.now);
  }
}

/** A server's speed as words: "Time-lapse", "Full speed", "20 epochs / s", "20 mini-batches / s". */
export function speedName(speed) {
  if (speed?.timelapse) return "Time-lapse";
  if (speed?.epochs_per_second) return `${speed.epochs_per_second} epoch${speed.epochs_per_second === 1 ? "" : "s"} / s`;
  if (speed?.steps_per_second) return `${speed.steps_per_second} mini-batch${speed.steps_per_second === 1 ? "" : "es"} / s`;
  return "Full speed";
}

/** " · 240 epochs/s" for a measured rate, "" when the run is not playing (null). */
export function rateText(epochsPerSecond) {
  if (epochsPerSecond === null) return "";
  const shown = epochsPerSecond < 10 ? epochsPerSecond.toFixed(1)
    : Math.round(epochsPerSecond).toLocaleString("en");
  return ` · ${shown} epochs/s`;
}

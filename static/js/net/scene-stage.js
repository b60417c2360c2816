// Plays lesson scenes on a page: a single-run scene loads its preset into the page's own session
// (same session, so people watching it keep watching), a comparison scene creates a comparison
// and shows its runs side by side. Play, step and reset go to whichever is on show.
// No DOM here beyond what the view and the strip draw; the page hears about changes through
// onMode("single" | "compare"), onStatus(status), onError(message) and onEnded() (the server no
// longer had the comparison on show, which is then made again from its scene).

import { DEFAULTS } from "../state/state.js";
import { RunLink } from "./run-link.js";

export function sceneConfig(scene) {
  const config = { ...structuredClone(DEFAULTS), ...structuredClone(scene.config) };
  delete config.points;
  return config;
}

/** Sets `target` (a RunLink) to the scene's pace: steps per second if it asks, else its speed. */
export function pace(target, scene) {
  if (scene.stepsPerSecond) target.speed(scene.stepsPerSecond, "steps");
  else target.speed(scene.speed);
}

export class SceneStage {
  /** run: a session RunLink that drives; strip: a RunStrip; handlers: onMode, onStatus, onError, onEnded */
  constructor({ run, strip, ...handlers }) {
    this.run = run;
    this.strip = strip;
    this.h = handlers;
    this.group = null;
    this.mode = "single";
    this.scene = null;
  }

  get target() {
    return this.mode === "compare" && this.group ? this.group : this.run;
  }

  get status() {
    return this.target.status;
  }

  /** Shows `scene` (an entry of SCENES); null leaves the run as it is. */
  async show(scene) {
    this.scene = scene;
    this.run.pause();
    this.closeGroup();
    if (scene?.compare) {
      this.setMode("compare");
      const group = new RunLink("comparison", {
        onHello: (message) => this.strip.setGroup(message),
        onFrame: (frame) => this.strip.takeFrame(frame),
        onStatus: (status) => this.group === group && this.h.onStatus?.(status),
        onError: (message) => this.h.onError?.(message.message),
        onGone: () => {
          if (this.group !== group) return;
          this.group = null; // already gone (the link forgot its id): nothing to delete
          this.h.onEnded?.();
          this.show(this.scene);
        },
      });
      this.group = group;
      try {
        await group.open({ config: sceneConfig(scene), ...scene.compare });
      } catch (error) {
        this.h.onError?.(`The comparison could not start: ${error.message}`);
        return;
      }
      if (this.group !== group) {
        group.close(); // another scene was chosen while this one was being made
        return;
      }
      group.speed(scene.speed);
      this.run.show(group.id); // the session's watchers follow it (the watch page's landscape)
      this.h.onStatus?.(group.status);
      return;
    }
    this.setMode("single");
    if (scene) {
      this.run.set(sceneConfig(scene));
      this.run.reset();
      pace(this.run, scene);
    }
    this.h.onStatus?.(this.run.status);
  }

  setMode(mode) {
    this.mode = mode;
    this.h.onMode?.(mode);
  }

  closeGroup() {
    const group = this.group;
    this.group = null;
    group?.close();
    if (group) this.run.show(null);
  }

  toggle() {
    this.target.toggle();
  }

  play() {
    this.target.play();
  }

  pause() {
    this.target.pause();
  }

  step(epochs = 1) {
    this.target.step({ epochs });
  }

  reset() {
    this.target.reset();
  }

  close() {
    this.closeGroup();
  }
}

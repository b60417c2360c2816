// The seven guided scenes, one per idea of the design: each a preset configuration (seeds
// included, so every class sees the same start), a few plain sentences, one thing to try, the
// controls it needs beyond play, step and reset, the number to watch (`focus`, a data-v name) and
// how fast it plays (`speed`: epochs per second where the scene's point needs a fixed pace,
// "timelapse" — slow at first, then faster, as every page plays by default — or null: as fast as
// the server goes). A scene that must be watched one example at a time gives `stepsPerSecond`
// instead, which wins over `speed`.
// The texts name only controls both /lessons and /present show (tests/browser check it).
// Scene 3 is a comparison: runs of one start that differ only in their step size.

export const SCENES = [
  {
    title: "Random start",
    text: [
      "A network starts with random numbers for its weights.",
      "Its first answer is a guess: the colours behind the points have little to do with them, "
        + "and its error is large.",
    ],
    tryThis: "Press New start a few times: every start guesses differently. "
      + "Then press Step once and watch the guess change.",
    config: { dataset: "circle", n_samples: 200, hidden_layers: [4, 4], seed: 3 },
    controls: ["step", "new_start"],
    speed: 5,
  },
  {
    title: "Error is a number",
    text: [
      "After each attempt the network is told how far off it was, as one number: the loss.",
      "Near zero, it answers every training point right and sure of itself; "
        + "a big number means it is mostly wrong.",
    ],
    tryThis: "Press Step a few times and read the training loss after each one. "
      + "Does it only ever go down?",
    config: { dataset: "gauss", n_samples: 200, noise: 0.2, hidden_layers: [2], seed: 5,
      learning_rate: 0.01 },
    controls: ["step", "reset"],
    focus: "train-loss",
    speed: 5,
  },
  {
    title: "Small steps",
    text: [
      "Each step moves every weight a little, against the error.",
      "Here three copies of one network start from the same weights; only the step size differs.",
    ],
    tryThis: "Press Play. The tiny steps crawl, the middle ones settle, "
      + "and the big ones jump between extremes and never settle.",
    config: { dataset: "circle", n_samples: 200, hidden_layers: [6, 6], seed: 2 },
    compare: { vary: "learning_rate", values: [0.001, 0.03, 3] },
    controls: ["play", "step", "reset"],
    speed: 15,
  },
  {
    title: "Repetition",
    text: [
      "One example, one small step, then the next.",
      "Each step looks at a single point and nudges the weights a little; no step alone "
        + "makes the answer right, but hundreds of them together do.",
    ],
    tryThis: "Press Play and watch Examples seen climb one example at a time, "
      + "while the colours behind the points come to match the four corners.",
    // Single-example steps at an eye's pace: on this noise-free XOR the training loss falls
    // from 0.67 to 0.09 within a minute with no setback (SGD with a step size of 0.03).
    config: { dataset: "xor", n_samples: 200, noise: 0, hidden_layers: [6, 6], batch_size: 1,
      learning_rate: 0.03, seed: 2 },
    controls: ["play", "step", "reset"],
    focus: "examples",
    speed: null,
    stepsPerSecond: 20,
  },
  {
    title: "Stable behaviour",
    text: [
      "As the error shrinks, each step changes less.",
      "The boundary stops moving and the loss curve flattens: the network has settled.",
    ],
    tryThis: "Play until Boundary moved stays near 0 % and the loss line lies flat. "
      + "Playing longer changes little now.",
    config: { dataset: "moons", hidden_layers: [8, 8], seed: 4 },
    controls: ["play", "step", "reset"],
    focus: "change",
    speed: 15,
  },
  {
    title: "New data",
    text: [
      "What counts is how well the network answers points it never trained on.",
      "Half the points were kept aside as a test set; they are drawn with a dark ring "
        + "and never used for a step.",
    ],
    tryThis: "Play, then compare the two losses: the dashed test loss is the honest one.",
    config: { dataset: "xor", n_samples: 300, noise: 0.3, hidden_layers: [8], seed: 6 },
    controls: ["play", "step", "reset", "test_points"],
    showTest: true,
    focus: "test-loss",
    speed: 20,
  },
  {
    title: "Cramming",
    text: [
      "Few examples, noisy ones, and a big network: it can memorise every training point.",
      "The training loss keeps falling while the test loss turns up.",
    ],
    tryThis: "Play for a few hundred epochs and watch the dashed test line turn up "
      + "while the solid training line keeps falling.",
    config: { dataset: "circle", n_samples: 40, noise: 0.5, hidden_layers: [16, 16, 16],
      batch_size: 5, seed: 0 },
    controls: ["play", "step", "reset", "test_points"],
    showTest: true,
    focus: "test-loss",
    speed: 30,
  },
];

/** Scene n (1-based), or null. */
export function scene(n) {
  return Number.isInteger(n) && n >= 1 && n <= SCENES.length ? SCENES[n - 1] : null;
}

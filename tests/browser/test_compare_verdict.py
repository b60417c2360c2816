"""The compare page's verdicts and varied-field helpers, checked in the browser that runs them.

Loss series are synthetic, in two datasets' shapes: a classifier's cross-entropy (circle: from
0.70, over hundreds of epochs) and a regression's squared error (hills: from 0.09, over
thousands). A verdict is read from the series alone, so it must not depend on either scale.
"""

import json
from typing import Any

from playwright.sync_api import Page

from tests.conftest import LiveServer

# In the page: series(shape, top, epochs) → history points; judge(points, extra) → verdict kind.
HELPERS = """
const { verdict, lossPace, valuesFor, heading, VARIED } =
  await import('/static/js/state/compare-state.js');
const SHAPES = {
  crawl: (f) => 1 - 0.05 * f,                                  // an even fall, 5 % so far
  learn: (f) => Math.exp(-f * 1.5),                            // falling fast, still falling
  settle: (f) => 0.006 + 0.994 * Math.exp(-f * 40),            // fell early, flat since
  stall: (f) => 1 - 0.04 * Math.min(1, f * 8),                 // a little, then nothing
  swing: (f) => 1 + 0.6 * Math.sin(f * 90) ** 2,               // up and down, above the start
};
const series = (shape, top, epochs, n = 60) => Array.from({ length: n + 1 }, (_, i) => (
  { epoch: Math.round((epochs * i) / n), train_loss: top * SHAPES[shape](i / n) }));
const judge = (points, extra = {}) => verdict({
  status: 'idle', epoch: points.at(-1).epoch, first: points[0].train_loss,
  last: points.at(-1).train_loss, markers: [], series: points, ...extra }).kind;
"""


def run(page: Page, server: LiveServer, body: str) -> Any:
    page.goto(server.url + "/static/css/style.css")  # same origin, no page scripts
    return page.evaluate(f"async () => {{ {HELPERS} {body} }}")


DATASETS = json.dumps({"circle": [0.70, 600], "hills": [0.09, 6000]})  # [first loss, epochs]


def test_each_shape_gets_the_same_verdict_on_both_datasets(page: Page, server: LiveServer) -> None:
    kinds = run(
        page,
        server,
        f"""
        const out = {{}};
        for (const [name, [top, epochs]] of Object.entries({DATASETS})) {{
          const settled = [{{ kind: 'settled', step: 10, epoch: 50 }}];
          out[name] = {{
            crawl: judge(series('crawl', top, epochs)),
            learn: judge(series('learn', top, epochs)),
            settle: judge(series('settle', top, epochs), {{ markers: settled }}),
            settleCalm: judge(series('settle', top, epochs), {{ calm: true }}),
            settleMoving: judge(series('settle', top, epochs)),
            stall: judge(series('stall', top, epochs)),
            swing: judge(series('swing', top, epochs)),
            swingMarked: judge(series('crawl', top, epochs),
              {{ markers: [{{ kind: 'oscillating', step: 5, epoch: 5 }}] }}),
          }};
        }}
        return out;
        """,
    )
    expected = {
        "crawl": "crawling",
        "learn": "learning",
        "settle": "settled",
        "settleCalm": "settled",
        "settleMoving": "learning",  # flat, but the boundary still moves and no marker yet
        "stall": "stalled",
        "swing": "oscillating",
        "swingMarked": "oscillating",
    }
    assert kinds == {"circle": expected, "hills": expected}


def test_crawling_is_still_descending_and_slowly(page: Page, server: LiveServer) -> None:
    result = run(
        page,
        server,
        """
        const even = (fall) => [0, 100, 200, 300, 400].map((e) => (
          { epoch: e, train_loss: 1 - (fall * e) / 400 }));
        // The first epochs of a step size that learns at once: the loss fell 45 % in 24
        // epochs and still falls fast. Not a crawl, although it has not yet halved.
        const quick = [0, 6, 12, 18, 24].map((e) => (
          { epoch: e, train_loss: 0.7 * Math.exp(-e / 40) }));
        // A crawl that stopped: the last quarter brought nothing.
        const stopped = [...even(0.1).slice(0, 4), { epoch: 400, train_loss: 0.925 }];
        return {
          quarter: lossPace(even(0.3)), third: lossPace(even(0.34)), stopped: lossPace(stopped),
          quick: lossPace(quick), quickKind: judge(quick),
          // scale-free: ten times the epochs and a tenth of the loss read the same
          scaled: lossPace(even(0.2).map((p) => (
            { epoch: p.epoch * 10, train_loss: p.train_loss / 10 }))),
          oneEpoch: lossPace([{ epoch: 0, train_loss: 0.7 }, { epoch: 1, train_loss: 0.6999 }]),
          none: lossPace([{ epoch: 0, train_loss: 0.7 }]),
          gap: judge([{ epoch: 0, train_loss: 0.7 }, { epoch: 1, train_loss: NaN },
            { epoch: 2, train_loss: 0.69 }]),
        };
        """,
    )
    assert result["quarter"] == {"descending": True, "slow": True}  # an even fall, under a third
    assert result["third"] == {"descending": True, "slow": False}  # past a third: learning
    assert result["stopped"] == {"descending": False, "slow": True}
    assert result["quick"] == {"descending": True, "slow": False}
    assert result["quickKind"] == "learning"
    assert result["scaled"] == {"descending": True, "slow": True}
    assert result["oneEpoch"] == {"descending": True, "slow": True}
    assert result["none"] == {"descending": False, "slow": False}
    assert result["gap"] == "crawling"  # a point without a loss is skipped


def test_a_new_field_keeps_the_number_of_runs_and_names_them(
    page: Page, server: LiveServer
) -> None:
    result = run(
        page,
        server,
        """
        return {
          four: valuesFor('optimizer', 4), two: valuesFor('batch_size', 2),
          three: valuesFor('hidden_layers', 3), clamped: valuesFor('seed', 9).length,
          fresh: valuesFor('learning_rate', 3) !== VARIED.learning_rate.defaults,
          optimizers: heading('optimizer'), steps: heading('learning_rate'), seeds: heading('seed'),
        };
        """,
    )
    assert result["four"] == ["sgd", "momentum", "adam", "rmsprop"]
    assert result["two"] == [1, 10]
    assert result["three"] == [[2], [8, 8], [8, 8, 8, 8]]
    assert result["clamped"] == 4
    assert result["fresh"] is True  # a copy: editing a run never edits the defaults
    assert result["optimizers"] == {
        "title": "Stepwise — compare optimizers",
        "tagline": "One start, different optimizers: different rules for turning the error into"
        " a step.",
    }
    assert result["steps"]["tagline"] == (
        "One start, different step sizes: small steps settle, tiny steps crawl, big steps never"
        " settle."
    )
    assert result["seeds"]["tagline"].startswith("Different starting weights:")

"""The page's pure modules, checked inside the browser that runs them (no Node needed)."""

from typing import Any

from playwright.sync_api import Page

from tests.conftest import LiveServer


def run(page: Page, server: LiveServer, body: str) -> Any:
    page.goto(server.url + "/static/css/style.css")  # same origin, no page scripts
    return page.evaluate(f"async () => {{ {body} }}")


def test_frame_reading_inflates_whole_frames_and_applies_deltas(
    page: Page, server: LiveServer
) -> None:
    result = run(
        page,
        server,
        """
        const { FrameReader } = await import('/static/js/net/frame.js');
        async function frame(header, payload) {    // as the server sends it: zlib
          const json = new TextEncoder().encode(JSON.stringify(header));
          const bytes = new Uint8Array(4 + json.length + payload.length);
          new DataView(bytes.buffer).setUint32(0, json.length, true);
          bytes.set(json, 4);
          bytes.set(payload, 4 + json.length);
          const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'));
          return new Response(stream).arrayBuffer();
        }
        const whole = { type: 'frame', v: 2, id: 'r', seq: 1, step: 7,
          grid: { offset: 0, resolution: 2, encoding: 'probability', range: [0, 1], levels: 31 },
          weights: { offset: 4, shapes: [[1, 2], [2]] },
          neurons: { offset: 12, resolution: 2, levels: 31,
                     layers: [{ width: 2, range: [-1, 1] }] } };
        const halves = [0x3800, 0xbe00, 0x4000, 0x3400];  // 0.5, -1.5, 2, 0.25 as float16
        const payload = new Uint8Array(20);
        payload.set([0, 8, 16, 31]);
        halves.forEach((h, i) => new DataView(payload.buffer).setUint16(4 + 2 * i, h, true));
        payload.set([0, 1, 2, 3, 4, 5, 6, 31], 12);
        const reader = new FrameReader();
        const a = await reader.read(await frame(whole, payload));
        const change = new Uint8Array(20);
        change[0] = 31; change[13] = 255;                 // +31 and -1, byte by byte mod 256
        const b = await reader.read(await frame({ type: 'frame', v: 2, id: 'r', seq: 2, base: 1,
          step: 9 }, change));
        let refused = null;
        await reader.read(await frame({ type: 'frame', v: 2, id: 'r', seq: 4, base: 3 }, change))
          .catch((e) => { refused = e.message; });
        const cells = (f) => f.neurons.layers[0].cells.map((c) => [...c]);
        return { a: { step: a.step, grid: [...a.grid.bytes], w: [...a.weights[0].w],
                      b: [...a.weights[0].b], n: cells(a) },
                 b: { step: b.step, seq: b.seq, grid: [...b.grid.bytes], w: [...b.weights[0].w],
                      n: cells(b), shapes: b.weights.length }, refused };
        """,
    )
    assert result["a"] == {
        "step": 7,
        "grid": [0, 66, 132, 255],  # 32 levels widened to the views' 0-255
        "w": [0.5, -1.5],
        "b": [2, 0.25],
        "n": [[0, 8, 16, 25], [33, 41, 49, 255]],
    }
    assert result["b"] == {
        "step": 9,
        "seq": 2,
        "grid": [255, 66, 132, 255],
        "w": [0.5, -1.5],
        "n": [[0, 0, 16, 25], [33, 41, 49, 255]],
        "shapes": 1,
    }
    assert result["refused"] == "frame 4 applies to frame 3, not read here"


def test_colour_tables_follow_the_encodings(page: Page, server: LiveServer) -> None:
    result = run(
        page,
        server,
        """
        const p = await import('/static/js/lib/palette.js');
        const palette = { classes: [[213, 94, 0], [0, 114, 178], [0, 158, 115], [204, 121, 167],
          [230, 159, 0], [86, 180, 233]], neg: [213, 94, 0], pos: [0, 114, 178],
          paper: [255, 255, 255], ink: [0, 0, 0] };
        const prob = p.buildTable(palette, { encoding: 'probability' });
        const hard = p.buildTable(palette, { encoding: 'probability', discretize: true });
        const cls = p.buildTable(palette, { encoding: 'class' });
        const value = p.buildTable(palette, { encoding: 'value', range: [-2, 2] });
        return { size: prob.length, low: p.unpack(prob[0]), high: p.unpack(prob[255]),
                 mid: p.unpack(prob[128]), hard: [p.unpack(hard[100]), p.unpack(hard[120])],
                 cls2: p.unpack(cls[(2 << 5) | 31]), zero: p.unpack(value[128]),
                 parse: [p.parseColor('#0072b2'), p.parseColor('rgb(1, 2, 3)')] };
        """,
    )
    assert result["size"] == 256
    low, high, mid = result["low"], result["high"], result["mid"]
    assert low[0] > low[2] and high[2] > high[0]  # orange for class 0, blue for class 1
    assert min(mid[:3]) >= 250 and low[3] == high[3] == 255  # ~white at 0.5, opaque
    assert result["hard"][0] == result["hard"][1]  # discretized: one colour per side
    assert result["cls2"][1] > result["cls2"][0]  # class 2 is green
    assert min(result["zero"][:3]) >= 245
    assert result["parse"] == [[0, 114, 178], [1, 2, 3]]


def test_chart_downsampling_keeps_extremes_and_bounds_the_work(
    page: Page, server: LiveServer
) -> None:
    result = run(
        page,
        server,
        """
        const { downsample, thin } = await import('/static/js/charts/chart.js');
        const xs = Array.from({ length: 100000 }, (_, i) => i);
        const ys = xs.map((i) => (i === 51234 ? 9 : i === 70000 ? -3 : Math.sin(i)));
        const d = downsample(xs, ys, 0, 99999, 300);
        const series = { x: [0, 1, 2, 3, 4], y: [5, 6, 7, 8, 9] };
        thin(series);
        const gap = downsample([0, 1, 2], [1, NaN, 3], 0, 2, 10);
        return { n: d.x.length, max: Math.max(...d.y), min: Math.min(...d.y), thinned: series,
                 gap: gap.y };
        """,
    )
    assert result["n"] <= 4 * 300
    assert result["max"] == 9 and result["min"] == -3
    assert result["thinned"] == {"x": [0, 2, 4], "y": [5, 7, 9]}
    assert result["gap"] == [1, 1, 1, 1, 3, 3, 3, 3]


def test_hash_state_round_trips_and_ignores_bad_fields(page: Page, server: LiveServer) -> None:
    result = run(
        page,
        server,
        """
        const s = await import('/static/js/state/state.js');
        const state = s.initialState();
        Object.assign(state.config, { dataset: 'custom', points: [[1.5, -2, 1], [0, 0, 0]],
          hidden_layers: [4, 2], features: ['x1', 'sin_x2'], learning_rate: 0.003,
          nesterov: true, seed: 4294967295 });
        state.view.log = true;
        const back = s.fromHash('#' + s.toHash(state));
        const bad = s.fromHash('#learning_rate=99&dataset=nope&hidden_layers=&bogus=1&noise=0.2');
        const empty = s.fromHash('');
        const paces = ['full', 20].map((speed) => {
          const hash = s.toHash({ ...state, speed });
          return [hash.split('&').at(-1), s.fromHash('#' + hash).state.speed];
        });
        return { same: JSON.stringify(back.state) === JSON.stringify(state),
                 problems: back.problems, paces, speed: empty.state.speed,
                 badSpeed: s.fromHash('#speed=-3').problems,
                 unsaid: s.toHash(state).includes('speed='),
                 bad: bad.state.config, badProblems: bad.problems.sort(),
                 defaults: JSON.stringify(empty.state.config) === JSON.stringify(s.DEFAULTS) };
        """,
    )
    assert result["same"] and result["problems"] == []
    assert result["paces"] == [["speed=full", "full"], ["speed=20", 20]]
    assert result["speed"] == "timelapse" and not result["unsaid"]  # the default goes unsaid
    assert result["badSpeed"] == ["speed"]
    assert result["bad"]["learning_rate"] == 0.03 and result["bad"]["dataset"] == "spiral"
    assert result["bad"]["hidden_layers"] == [] and result["bad"]["noise"] == 0.2
    assert result["badProblems"] == ["bogus", "dataset", "learning_rate"]
    assert result["defaults"]


def test_sliders_csv_and_point_editing(page: Page, server: LiveServer) -> None:
    result = run(
        page,
        server,
        """
        const sc = await import('/static/js/lib/scales.js');
        const e = await import('/static/js/lib/edit.js');
        const stops = sc.niceSteps(1e-5, 10);
        const csv = e.parseCsv('x1,x2,label\\n1,2,0\\n-3.5;4;1\\n\\n5\\t-6\\t2\\n');
        const bad = e.parseCsv('1,2,0\\n9,0,1\\n');
        const pts = e.addPoint([[0, 0, 0]], 1.23456, -2, 1);
        return { first: stops[0], last: stops.at(-1), has: stops.includes(0.03),
                 near: stops[sc.nearestStop(stops, 0.042)], csv: csv.points, bad: bad.error,
                 pts, removed: e.removeNearest(pts, 1.2, -2.1), kept: e.removeNearest(pts, 4, 4),
                 fmt: [sc.formatValue(0.030000001), sc.formatCount(1234567),
                       sc.formatCount(2.5e7)] };
        """,
    )
    assert result["first"] == 1e-5 and result["last"] == 10 and result["has"]
    assert result["near"] == 0.05
    assert result["csv"] == [[1, 2, 0], [-3.5, 4, 1], [5, -6, 2]]
    assert "line 2" in result["bad"]
    assert result["pts"] == [[0, 0, 0], [1.235, -2, 1]]
    assert result["removed"] == [[0, 0, 0]] and len(result["kept"]) == 2
    assert result["fmt"] == ["0.03", "1,234,567", "25.0 M"]


def test_counts_are_grouped_in_threes_as_en_us_writes_them(page: Page, server: LiveServer) -> None:
    values = [0, 7, 999, 1000, 12345, 1234.6, 9999999, -1234, -0.2, 2.5e7, 3e10]
    result = run(
        page,
        server,
        f"""
        const {{ formatCount }} = await import('/static/js/lib/scales.js');
        return {values}.map(formatCount);
        """,
    )
    assert result == [
        "0",
        "7",
        "999",
        "1,000",
        "12,345",
        "1,235",
        "9,999,999",
        "-1,234",
        "0",
        "25.0 M",
        "30.0 B",
    ]

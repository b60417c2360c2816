"""The browser's frame reader on a live run: deltas through steps and a reset, the boundary it
shows within one level of the server's grid, and the neurons' maps with it."""

from typing import Any

from playwright.sync_api import Page

from tests.conftest import LiveServer


def test_the_browser_reads_a_live_run_within_one_level(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/static/css/style.css")  # same origin, no page scripts
    result: dict[str, Any] = page.evaluate(
        """async () => {
        const { FrameReader } = await import('/static/js/net/frame.js');
        const created = await (await fetch('/api/sessions', { method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ n_samples: 100 }) })).json();
        const ws = new WebSocket(`ws://${location.host}/api/sessions/${created.id}/ws`);
        ws.binaryType = 'arraybuffer';
        const reader = new FrameReader();
        const frames = [];
        let inbox = Promise.resolve();
        let waiting = null;
        ws.onmessage = ({ data }) => {
          if (typeof data === 'string') return;
          inbox = inbox.then(async () => {
            const frame = await reader.read(data);
            frames.push({ frame, delta: reader.last.get(created.id).header.base !== undefined
              && frames.length > 0 });
            if (waiting && frames.length >= waiting.count) waiting.resolve();
          });
        };
        const until = (count) => new Promise((resolve) => {
          waiting = { count, resolve };
          if (frames.length >= count) resolve();
        });
        await new Promise((resolve) => { ws.onopen = resolve; });
        ws.send(JSON.stringify({ type: 'auth', token: created.token }));
        ws.send(JSON.stringify({ type: 'subscribe', neurons: true }));
        await until(2);
        const actions = [{ type: 'step', epochs: 10 }, { type: 'step', epochs: 10 },
          { type: 'reset' }, { type: 'step', epochs: 20 }];
        for (const action of actions) {
          ws.send(JSON.stringify(action));
          await until(frames.length + 1);
        }
        await inbox;
        const last = frames[frames.length - 1].frame;
        const server = await (await fetch(`/api/sessions/${created.id}/boundary?resolution=100`))
          .json();
        let worst = 0;
        last.grid.bytes.forEach((b, i) => {
          worst = Math.max(worst, Math.abs(b / 255 - server.values[i]));
        });
        const state = (await (await fetch(`/api/sessions/${created.id}`)).json()).state;
        ws.close();
        const neurons = last.neurons.layers.map((l) => l.cells.map((c) => new Set(c).size));
        return { worst, epoch: last.epoch, serverEpoch: state.epoch,
                 steps: frames.map((f) => f.frame.step),
                 deltas: frames.filter((f) => f.delta).length, neurons };
      }"""
    )
    assert result["epoch"] == result["serverEpoch"] == 20
    assert result["worst"] <= 1 / 31 + 0.5 / 255  # one of the 32 levels, widened to bytes
    assert result["deltas"] >= 3  # steps and the reset came as deltas
    assert result["steps"][-2] == 0 and result["steps"][-1] > 0  # the reset, then training
    assert [len(layer) for layer in result["neurons"]] == [8, 8]
    assert all(distinct > 3 for layer in result["neurons"] for distinct in layer)

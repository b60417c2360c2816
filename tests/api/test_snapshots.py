"""Importing damaged snapshots: one 422 in the one error shape, naming the bad value's path.

The property test takes real exports (binary sgd, multiclass adam, regression momentum and custom
points, in both formats, and format 2 as JavaScript rewrites it) and breaks one or two leaves at a
time, the texts of format 2 included (bytes poked into base64, digits that are not a number):
whatever it sends, the answer is either a session that steps, exports, re-imports and draws, or
one clean 422.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import math
import struct
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.main import create_app
from tests.api.helpers import assert_error
from tests.api.snapshots import (
    CONFIGS,
    MORE,
    Path,
    as_version_1,
    check_works,
    column,
    exported,
    put,
    put_column,
    send,
    through_javascript,
)

# -- the failures found by hand, each now a 422 naming the path ------------------------------


@pytest.fixture
def adam_run(client: TestClient) -> dict[str, Any]:
    return exported(client, CONFIGS["multiclass-adam"])


HUGE = 10**400


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("trainer", "counters", 0), HUGE, "trainer.counters[0]"),
        (("trainer", "counters", 2), -1, "trainer.counters[2]"),
        (("trainer", "optimizer", "t"), math.inf, "trainer.optimizer.t"),
        (("trainer", "optimizer", "t"), -5, "trainer.optimizer.t"),
        (("trainer", "optimizer", "t"), 10**6, "trainer.optimizer.t"),
        (("trainer", "rng", "state", "state"), "-1", "trainer.rng.state.state"),
        (("trainer", "rng", "state", "state"), str(10**60), "trainer.rng.state.state"),
        (("trainer", "rng", "state", "state"), 12345, "trainer.rng.state.state"),  # a number
        (("trainer", "rng", "state", "inc"), "1e5", "trainer.rng.state.inc"),
        (("trainer", "initial_rng", "state", "inc"), "2", "trainer.initial_rng.state.inc"),
        (("trainer", "order", 0), 2**70, "trainer.order[0]"),
        (("trainer", "order"), None, "trainer.order"),  # mid-epoch, the order is needed
        (("trainer", "config"), [1], "trainer.config"),
        (("trainer", "config", "learning_rate"), HUGE, "trainer.config.learning_rate"),
        (("trainer", "config", "noise"), HUGE, "trainer.config.noise"),
        (("trainer", "config", "hidden_layers"), [5], "config"),
        (("trainer", "params"), "not base64!", "trainer.params"),
        (("trainer", "data", "train"), "AAAA", "trainer.data.train"),
        (("trainer", "last", "grad_norm"), -1.0, "trainer.last.grad_norm"),
        (("trainer", "message"), 5, "trainer.message"),
        (("trainer", "version"), 1, "trainer.version"),
        (("history", "step"), "not base64!", "history.step"),
        (("history", "epoch"), "AAAAAAAAAAA=", "history.epoch"),  # one value, not three
        (("history", "train_loss"), 0.5, "history.train_loss"),
        (("history", "diverged"), None, "history.diverged"),
        (("history", "recorded"), -1, "history.recorded"),
        (("history", "recorded"), 1, "history.recorded"),  # fewer than the points kept
    ],
)
def test_a_bad_value_is_a_422_naming_its_path(
    client: TestClient, adam_run: dict[str, Any], path: Path, value: Any, field: str
) -> None:
    put(adam_run, path, value)
    message = assert_error(send(client, adam_run), 422, "invalid", field)
    assert field in message


@pytest.mark.parametrize(
    ("name", "index", "value", "field"),
    [
        ("step", 1, 10**9, "history.step[1]"),  # past the run
        ("step", 0, -1, "history.step[0]"),
        ("epoch", 2, 2**62, "history.epoch[2]"),
        ("train_loss", 1, math.inf, "history.train_loss[1]"),
        ("update_norm", 2, -1.0, "history.update_norm[2]"),
        ("test_accuracy", 2, 1.5, "history.test_accuracy[2]"),
        ("learning_rate", 0, 0.0, "history.learning_rate[0]"),
    ],
)
def test_a_bad_history_value_names_its_column_and_row(
    client: TestClient, adam_run: dict[str, Any], name: str, index: int, value: Any, field: str
) -> None:
    history = adam_run["history"]
    values = column(history, name)
    values[index] = value
    put_column(history, name, values)
    message = assert_error(send(client, adam_run), 422, "invalid", field)
    assert message.startswith(f"{field} must be")


def test_a_missing_history_value_is_nan_and_a_missing_column_null(
    client: TestClient, adam_run: dict[str, Any]
) -> None:
    history = adam_run["history"]
    assert history["train_r2"] is None  # a classifier has no r²
    loss = column(history, "test_loss")
    loss[1] = math.nan
    put_column(history, "test_loss", loss)
    created = send(client, adam_run)
    assert created.status_code == 201, created.text
    points = client.get(f"/api/sessions/{created.json()['id']}/history").json()["points"]
    assert points[1]["test_loss"] is None and points[2]["test_loss"] == loss[2]
    assert [p["train_r2"] for p in points] == [None] * len(points)


def test_a_flag_past_the_last_point_is_refused(
    client: TestClient, adam_run: dict[str, Any]
) -> None:
    history = adam_run["history"]
    size = len(column(history, "step"))
    assert size % 8  # there are spare bits in the last byte
    bits = np.zeros(8 * ((size + 7) // 8), bool)
    bits[-1] = True
    packed = np.packbits(bits, bitorder="little").tobytes()
    history["diverged"] = base64.b64encode(packed).decode()
    message = assert_error(send(client, adam_run), 422, "invalid", "history.diverged")
    assert message == f"history.diverged has bits set past its {size} points"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("history", "points", 1, "step"), math.nan, "history.points[1].step"),
        (("history", "points", 1, "step"), math.inf, "history.points[1].step"),
        (("history", "points", 1, "step"), 10**9, "history.points[1].step"),
        (("history", "points", 1, "train_loss"), HUGE, "history.points[1].train_loss"),
        (("history", "points", 2, "test_accuracy"), 1.5, "history.points[2].test_accuracy"),
        (("history", "points", 0, "diverged"), "no", "history.points[0].diverged"),
        (("history", "points"), {}, "history.points"),
        (("trainer", "rng", "state", "state"), -1, "trainer.rng.state.state"),
        (("trainer", "rng", "state", "state"), "5", "trainer.rng.state.state"),
        (("trainer", "rng", "state", "state"), 10**60, "trainer.rng.state.state"),
    ],
)
def test_a_bad_first_format_value_names_its_path(
    client: TestClient, adam_run: dict[str, Any], path: Path, value: Any, field: str
) -> None:
    old = as_version_1(adam_run)
    put(old, path, value)
    message = assert_error(send(client, old), 422, "invalid", field)
    assert field in message


def test_a_huge_integer_in_a_first_format_weight_names_its_index(client: TestClient) -> None:
    snapshot = as_version_1(exported(client, CONFIGS["binary-sgd"]))
    snapshot["trainer"]["params"][3] = HUGE
    message = assert_error(send(client, snapshot), 422, "invalid", "trainer.params[3]")
    assert message == "trainer.params[3] must be a finite number"


def test_history_points_must_be_in_order(client: TestClient, adam_run: dict[str, Any]) -> None:
    old = as_version_1(adam_run)
    points = old["history"]["points"]
    points[1], points[2] = points[2], points[1]
    assert_error(send(client, old), 422, "invalid", "history.points[2].step")
    steps = column(adam_run["history"], "step")
    steps[[1, 2]] = steps[[2, 1]]
    put_column(adam_run["history"], "step", steps)
    message = assert_error(send(client, adam_run), 422, "invalid", "history.step[2]")
    assert message == (
        f"history.step[2] must be an integer between {steps[1]} and "
        f"{adam_run['trainer']['counters'][0]}: points are in order and none lies past the run"
    )


def test_a_batch_order_must_be_a_permutation(client: TestClient, adam_run: dict[str, Any]) -> None:
    order = adam_run["trainer"]["order"]
    order[0] = order[1]
    message = assert_error(send(client, adam_run), 422, "invalid", "trainer.order")
    assert "once" in message


def test_the_two_configs_must_agree(client: TestClient, adam_run: dict[str, Any]) -> None:
    adam_run["config"]["learning_rate"] = 0.5
    assert_error(send(client, adam_run), 422, "invalid", "config")
    adam_run["config"]["learning_rate"] = 50
    assert_error(send(client, adam_run), 422, "invalid", "config.learning_rate")


def test_unknown_and_missing_keys_are_named(client: TestClient, adam_run: dict[str, Any]) -> None:
    adam_run["trainer"]["extra"] = 1
    assert_error(send(client, adam_run), 422, "invalid", "trainer.extra")
    del adam_run["trainer"]["extra"], adam_run["trainer"]["rng"]
    message = assert_error(send(client, adam_run), 422, "invalid", "trainer.rng")
    assert message == "trainer.rng is required"


# -- the property: whatever the damage, a working session or one clean 422 ----------------


HOSTILE: list[Any] = [
    *(HUGE, -HUGE, 2**70, 2**64, 10**60, 2**53 + 1, -1, -5, 0, 1, 3, 10**6),
    *(math.nan, math.inf, -math.inf, 1e300, -1e300, 0.5, -0.0, 1e-300),
    *("", "x", "AAAA", True, False, None, [], {}, [1], [None], {"a": 1}),
    # texts where format 2 wants decimal digits or base64: signs, exponents, other digits,
    # a 129-bit integer, one float64 (0, NaN, Infinity), and bytes that are no whole item
    *("-1", "+5", "1e5", " 7", "07", "\u0663", "5", str(2**128), "0" * 40),
    *("AAAAAAAAAAA=", "AAAAAAAA+H8=", "AAAAAAAA8H8=", "/////w==", "AAAAAAAAAAAAAAAAAAAAAA=="),
]


def leaves(doc: Any, path: Path = ()) -> Iterator[Path]:
    """Every path in the document, containers included (they can be truncated or emptied)."""
    if path:
        yield path
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from leaves(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from leaves(value, (*path, i))


def mutate(doc: Any, path: Path, kind: str, value: Any) -> None:
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key, target = path[-1], parent[path[-1]]
    if kind == "replace":
        parent[key] = value
    elif kind == "remove":
        del parent[key]
    elif kind == "extra" and isinstance(target, dict):
        target["extra"] = value
    elif kind == "truncate" and isinstance(target, list | str):
        parent[key] = target[: len(target) // 2]
    elif kind == "grow" and isinstance(target, list):
        target.append(value if target == [] else copy.deepcopy(target[-1]))
    elif kind == "negate" and isinstance(target, int | float) and not isinstance(target, bool):
        parent[key] = -target - 1
    elif kind == "poke" and isinstance(target, str):
        parent[key] = poked(target, value)
    elif kind == "append" and isinstance(target, str):
        parent[key] = target + "0"  # a decimal text ten times larger, a base64 text broken


def poked(text: str, value: Any) -> str:
    """`text` with its middle item overwritten by `value` as float64 or int64 bytes (or, when
    the bytes are no whole number of items, a flag column, all its bits set), if it is base64."""
    try:
        raw = bytearray(base64.b64decode(text, validate=True))
    except ValueError:
        return text
    i = len(raw) // 16 * 8
    if raw and len(raw) % 8 == 0 and isinstance(value, float):
        raw[i : i + 8] = struct.pack("<d", value)
    elif raw and len(raw) % 8 == 0 and isinstance(value, int) and -(2**63) <= value < 2**63:
        raw[i : i + 8] = struct.pack("<q", value)
    else:
        raw[:] = b"\xff" * len(raw)
    return base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def property_client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


class Documents(list[tuple[dict[str, Any], list[Path]]]):
    """Exports and their paths; a short repr keeps hypothesis's reports readable."""

    def __repr__(self) -> str:
        return f"<{len(self)} exported snapshots>"


@pytest.fixture(scope="module")
def documents(property_client: TestClient) -> Documents:
    docs = [exported(property_client, config) for config in (*CONFIGS.values(), MORE["custom"])]
    docs += [as_version_1(d) for d in docs]
    docs += [json.loads(through_javascript(json.dumps(d))) for d in docs[:4]]
    return Documents((d, list(leaves(d))) for d in docs)


KINDS: tuple[str, ...] = (
    "replace",
    "replace",
    "replace",
    "remove",
    "extra",
    "truncate",
    "grow",
    "negate",
)
KINDS += ("poke", "poke", "append")  # the leaves of format 2: base64 and decimal texts


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_damage_gives_a_working_session_or_a_clean_422(
    property_client: TestClient,
    documents: Documents,
    data: st.DataObject,
) -> None:
    original, paths = documents[data.draw(st.integers(0, len(documents) - 1), label="document")]
    doc = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from(paths))
        kind, value = data.draw(st.sampled_from(KINDS)), data.draw(st.sampled_from(HOSTILE))
        # The first mutation may have removed or replaced what the second aims at.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            mutate(doc, path, kind, value)
    response = send(property_client, doc)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 201:
        check_works(property_client, response.json())
        return
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    error = body["error"]
    assert error["code"] == "invalid"
    assert isinstance(error["field"], str) and error["field"]
    assert isinstance(error["message"], str) and error["message"]

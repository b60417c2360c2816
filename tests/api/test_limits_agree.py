"""The config rules agree wherever they are written: the engine's LIMITS and choices, the
pydantic schema clients see (its JSON Schema), and the page's own copy in state/state.js."""

from __future__ import annotations

import ast
import operator
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from app.engine import ACTIVATIONS, DATASETS, FEATURES, LIMITS, OPTIMIZERS, REGULARIZATIONS
from app.engine.config import TrainConfig, config_to_dict
from app.main import create_app
from app.schemas import Activation, Dataset, Feature, Optimizer, Regularization, SessionConfig

STATE_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "state" / "state.js"
PAGE_NAMES = {"layers": "hidden_layers"}  # the page's name -> the engine's
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Pow: operator.pow}


def arithmetic(text: str, names: dict[str, float]) -> float:
    """A JS number expression of literals, + - ** and known constants (`2 ** 32 - 1`)."""

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](value(node.left), value(node.right))
        raise ValueError(f"not a plain number in state.js: {text!r}")

    return value(ast.parse(text.strip(), mode="eval").body)


def page_constant(source: str, name: str, opening: str, closing: str) -> str:
    found = re.search(rf"export const {name} = \{opening}(.*?)\{closing};", source, re.S)
    assert found, f"state.js has no {name}"
    return found.group(1)


def page_limits() -> dict[str, tuple[float, float]]:
    source = STATE_JS.read_text()
    seed = re.search(r"export const SEED_MAX = (.*?);", source)
    assert seed, "state.js has no SEED_MAX"
    seed_max = arithmetic(seed.group(1), {})
    body = page_constant(source, "LIMITS", "{", "}")
    limits = {}
    for key, lo, hi in re.findall(r"(\w+):\s*\[([^,\]]+),([^\]]+)\]", body):
        names = {"SEED_MAX": seed_max}
        limits[PAGE_NAMES.get(key, key)] = (arithmetic(lo, names), arithmetic(hi, names))
    assert limits, "state.js's LIMITS could not be read"
    return limits


def page_choices(name: str) -> set[str]:
    return set(re.findall(r'"([^"]+)"', page_constant(STATE_JS.read_text(), name, "[", "]")))


def schema_limits() -> dict[str, tuple[float, float]]:
    """What the JSON Schema of a whole config allows, named as the engine names it."""
    fields = SessionConfig.model_json_schema()["properties"]
    points = next(branch for branch in fields["points"]["anyOf"] if branch["type"] == "array")
    label = points["items"]["prefixItems"][2]
    layers = fields["hidden_layers"]
    found = {
        name: (fields[name]["minimum"], fields[name]["maximum"])
        for name in fields
        if "minimum" in fields[name]
    }
    return {
        **found,
        "points": (points["minItems"], points["maxItems"]),
        "label": (label["minimum"], label["maximum"]),
        "features": (fields["features"]["minItems"], fields["features"]["maxItems"]),
        "hidden_layers": (layers.get("minItems", 0), layers["maxItems"]),
        "neurons": (layers["items"]["minimum"], layers["items"]["maximum"]),
    }


def route_resolution() -> tuple[float, float]:
    """The grid size the boundary routes accept, from the OpenAPI document."""
    document: dict[str, Any] = create_app().openapi()
    ranges = set()
    for path in (
        "/api/sessions/{session_id}/boundary",
        "/api/sessions/{session_id}/timeline/{at}/boundary",
    ):
        (query,) = [
            p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "resolution"
        ]
        ranges.add((query["schema"]["minimum"], query["schema"]["maximum"]))
    (only,) = ranges
    return only


def test_the_schema_allows_exactly_what_the_engine_allows() -> None:
    schema = schema_limits()
    config_limits = {name: bounds for name, bounds in LIMITS.items() if name != "resolution"}
    assert schema == config_limits


def test_the_schema_defaults_are_the_engine_defaults() -> None:
    engine = config_to_dict(TrainConfig())
    assert SessionConfig().model_dump() == engine
    documented = {
        name: spec["default"]
        for name, spec in SessionConfig.model_json_schema()["properties"].items()
        if "default" in spec
    }
    # A list default is made afresh for each config and so is not in the document.
    assert documented == {name: v for name, v in engine.items() if not isinstance(v, list)}


def test_the_boundary_routes_ask_for_grids_the_engine_can_draw() -> None:
    lo, hi = route_resolution()
    engine_lo, engine_hi = LIMITS["resolution"]
    assert hi == engine_hi
    assert lo >= engine_lo  # a grid of one cell draws nothing: the routes ask for two at least


def test_the_page_limits_are_the_engine_limits() -> None:
    page = page_limits()
    assert set(page) <= set(LIMITS), (
        f"the page names limits the engine does not: {set(page) - set(LIMITS)}"
    )
    assert {name: LIMITS[name] for name in page} == page
    assert {"learning_rate", "hidden_layers", "neurons", "seed"} <= set(page)  # what the page uses


@pytest.mark.parametrize(
    ("page_name", "engine", "literal"),
    [
        ("DATASETS", DATASETS, Dataset),
        ("FEATURES", FEATURES, Feature),
        ("ACTIVATIONS", ACTIVATIONS, Activation),
        ("OPTIMIZERS", OPTIMIZERS, Optimizer),
        ("REGULARIZATIONS", REGULARIZATIONS, Regularization),
    ],
)
def test_the_choices_agree(page_name: str, engine: tuple[str, ...], literal: Any) -> None:
    assert set(get_args(literal)) == set(engine)
    assert page_choices(page_name) == set(engine)

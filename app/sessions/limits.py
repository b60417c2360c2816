"""The server's limits on what a run may be and what one call may ask, checked in one place.

The engine's `LIMITS` say what a network can be at all; the settings here may be tighter
(fewer layers, fewer points, fewer steps per call) and are what this server allows. Memory is
counted from the config (memory.py) before anything is built that would be refused. Every check
raises a `ConfigError` naming the field, so a route and a socket answer it the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.config import Settings
from app.engine import ConfigError, TrainConfig, config_from_dict
from app.sessions import memory

if TYPE_CHECKING:  # a session calls these checks; only the types are needed here
    from app.sessions.session import Session


def check_config(config: dict[str, Any], settings: Settings) -> None:
    """The server's own limits, which may be tighter than what the engine allows."""
    layers = config.get("hidden_layers") or []
    if len(layers) > settings.max_hidden_layers:
        raise ConfigError(
            "hidden_layers", f"at most {settings.max_hidden_layers} hidden layers are allowed"
        )
    if any(width > settings.max_layer_width for width in layers):
        raise ConfigError(
            "hidden_layers", f"hidden layer widths must be at most {settings.max_layer_width}"
        )
    if config.get("n_samples", 0) > settings.max_samples:
        raise ConfigError("n_samples", f"n_samples must be at most {settings.max_samples}")
    if len(config.get("points") or []) > settings.max_samples:
        raise ConfigError("points", f"at most {settings.max_samples} points are allowed")


def allowed_config(fields: dict[str, Any], settings: Settings) -> TrainConfig:
    """The config of a new run, within the server's limits and its memory per session."""
    check_config(fields, settings)
    config = config_from_dict(fields)
    memory.check(config, settings)  # before building what would be refused
    return config


def allowed_change(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """The session's whole config with `changes`, checked: ConfigError naming the field, or
    MemoryFull when the server has no room for what the change would add."""
    merged = {**session.config(), **changes}
    check_config(merged, session.settings)
    config = config_from_dict(merged)
    before = session.trainer.config
    need = memory.check(config, session.settings, before)
    if not session.budget.fits(need - session.memory):
        raise memory.MemoryFull(memory.undo(config, before, session.settings) or "config")
    return merged


def allowed_group_change(runs: list[Session], changes: dict[str, Any]) -> None:
    """The same change for every run: each valid before any changes, and all fitting at once."""
    growth, config = 0, None
    for run in runs:
        config = config_from_dict(allowed_change(run, changes))
        growth += memory.estimate(config, run.settings) - run.memory
    if config is not None and not runs[0].budget.fits(growth):
        field = memory.undo(config, runs[-1].trainer.config, runs[-1].settings)
        raise memory.MemoryFull(field or "config")


def check_step(
    settings: Settings, steps_per_epoch: int, steps: int | None, epochs: int | None
) -> None:
    """One call trains at most so many epochs, and so many steps however they are asked."""
    if epochs is not None:
        if epochs > settings.max_epochs_per_call:
            raise ConfigError("epochs", f"epochs must be at most {settings.max_epochs_per_call}")
        cost = epochs * steps_per_epoch
        if cost > settings.max_steps_per_call:
            raise ConfigError(
                "epochs",
                f"{epochs} epochs take {cost} steps here; at most "
                f"{settings.max_steps_per_call} steps are allowed per call",
            )
    if steps is not None and steps > settings.max_steps_per_call:
        raise ConfigError("steps", f"steps must be at most {settings.max_steps_per_call}")


def check_group_step(settings: Settings, steps_per_epoch: int, epochs: int) -> None:
    """A comparison's step in whole epochs, `steps_per_epoch` of its slowest run each."""
    cost = epochs * steps_per_epoch
    if epochs > settings.max_epochs_per_call or cost > settings.max_steps_per_call:
        raise ConfigError(
            "epochs",
            f"{epochs} epochs are more than one call may train (at most "
            f"{settings.max_epochs_per_call} epochs and {settings.max_steps_per_call} steps)",
        )


def check_runs(settings: Settings, count: int) -> None:
    if count > settings.max_comparison_runs:
        raise ConfigError("values", f"at most {settings.max_comparison_runs} runs are allowed")


def run_configs(
    base: dict[str, Any], vary: str, values: list[Any], settings: Settings
) -> list[dict[str, Any]]:
    """One config per value, each checked; ConfigError names `values.i` when one is bad."""
    configs = []
    for i, value in enumerate(values):
        config = {**base, vary: value}
        try:
            config_from_dict(config)  # kinds first: the server's limits compare numbers
            check_config(config, settings)
        except ConfigError as exc:
            raise ConfigError(f"values.{i}", f"{vary} = {value!r}: {exc.message}") from None
        configs.append(config)
    return configs

"""The loss landscape's answer: a plane through weight space, its loss grid and the paths on it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.engine.landscape import CAP, RESOLUTIONS

LANDSCAPE_RESOLUTIONS = list(RESOLUTIONS)


class LandscapeAxis(BaseModel):
    explained: float = Field(
        description="Share (0 to 1) of the path's spread about the centre along this axis; "
        "the two together say how much of the real path the slice shows."
    )
    range: list[float] = Field(description="[lowest, highest] coordinate along this axis.")


class LandscapePoint(BaseModel):
    at: int = Field(description="The run's timeline checkpoint this point projects.")
    step: int = Field(description="The step it was taken at.")
    epoch: int = Field(description="The epoch it was taken at.")
    x: float = Field(description="Its coordinate along the first axis.")
    y: float = Field(description="Its coordinate along the second axis.")
    loss: float | None = Field(
        description="The run's real training loss there (the point itself is off the plane)."
    )


class LandscapePath(BaseModel):
    session_id: str = Field(description="The run whose checkpoints these are.")
    points: list[LandscapePoint] = Field(description="Its checkpoints, oldest first.")


class Landscape(BaseModel):
    resolution: int = Field(description="R: the grid has R × R cells; R is odd.")
    centre: Literal["now", "start"] = Field(
        description="What the centre cell is: the run's weights now, or a comparison's shared "
        "starting weights."
    )
    directions: Literal["pca", "random"] = Field(
        description="pca: the path's two main directions; random: two random directions scaled "
        "neuron by neuron to the weights (while the path is too short)."
    )
    axes: list[LandscapeAxis] = Field(description="The first (columns) and second (rows) axes.")
    values: list[float] = Field(
        description="Training loss per cell, row-major; row 0 at the top (the second axis at "
        "its highest), column 0 at the first axis's lowest. Always finite."
    )
    capped: bool = Field(description=f"Whether some cells overflowed and show {CAP:g} instead.")
    cap: float = Field(description="The largest loss a cell shows.")
    points: int = Field(
        description="Training points the grid was measured on (fewer than the run's when its "
        "cost had to be bounded: STEPWISE_LANDSCAPE_MAX_WORK)."
    )
    training_points: int = Field(description="Training points the run has.")
    paths: list[LandscapePath] = Field(description="One path per run, projected on the plane.")

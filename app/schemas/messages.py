"""WebSocket messages a client sends; what the server sends is documented in the README."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.schemas.config import ConfigUpdate, Whole
from app.schemas.landscape import LANDSCAPE_RESOLUTIONS
from app.schemas.rest import StepRequest


class AuthMessage(BaseModel):
    type: Literal["auth"]
    token: str = Field(max_length=200, description="The session's token.")


class PlayMessage(BaseModel):
    type: Literal["play"]


class PauseMessage(BaseModel):
    type: Literal["pause"]


class ResetMessage(BaseModel):
    type: Literal["reset"]


class StepMessage(StepRequest):
    type: Literal["step"]


class SetMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["set"]
    config: ConfigUpdate = Field(description="The config fields to change.")


class SpeedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["speed"]
    # NaN passes JSON parsing and fails every bound; saying "a finite number" says what is wrong.
    epochs_per_second: float | None = Field(
        default=None, gt=0, le=100_000, allow_inf_nan=False, description="Epochs per second."
    )
    steps_per_second: float | None = Field(
        default=None, gt=0, le=10_000_000, allow_inf_nan=False, description="Steps per second."
    )
    timelapse: bool = Field(
        default=False, description="Start slow, then rise with the epoch up to full speed."
    )

    @model_validator(mode="after")
    def _at_most_one(self) -> SpeedMessage:
        given = (self.epochs_per_second, self.steps_per_second, self.timelapse or None)
        if sum(value is not None for value in given) > 1:
            raise ValueError("give at most one of epochs_per_second, steps_per_second or timelapse")
        return self


class SubscribeMessage(BaseModel):
    type: Literal["subscribe"]
    neurons: bool = Field(description="Also send every hidden neuron's small grid.")


class Speed(BaseModel):
    epochs_per_second: float | None = Field(description="Set when the speed is in epochs.")
    steps_per_second: float | None = Field(description="Set when the speed is in steps.")
    timelapse: bool = Field(description="Whether the speed rises with the epoch to full speed.")


class SeekMessage(BaseModel):
    type: Literal["seek"]
    at: Annotated[int, Whole] = Field(ge=0, description="The checkpoint to show this viewer.")


class RewindMessage(BaseModel):
    type: Literal["rewind"]
    at: Annotated[int, Field(ge=0), Whole] | None = Field(
        default=None, description="The checkpoint to continue from."
    )


class RescueMessage(BaseModel):
    type: Literal["rescue"]


class ShowMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["show"]
    comparison: str | None = Field(
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The comparison this session's driver shows instead of the session (a "
        "lesson scene of step sizes), for its watchers to follow; null: the session itself.",
    )


class LandscapeMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["landscape"]
    on: bool = Field(description="true: send this viewer the loss landscape; false: stop.")
    resolution: int = Field(
        default=41,
        ge=LANDSCAPE_RESOLUTIONS[0],
        le=LANDSCAPE_RESOLUTIONS[-1],
        description="R for an R × R grid: odd, so that the centre cell is the centre itself.",
    )

    @field_validator("resolution")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError("resolution must be odd, between 11 and 101")
        return value


# What both sockets take, a session's and a comparison's: auth, and what drives any run.
Driving = (
    AuthMessage
    | PlayMessage
    | PauseMessage
    | ResetMessage
    | StepMessage
    | SetMessage
    | SpeedMessage
)
ClientMessage = Annotated[
    Driving
    | SubscribeMessage
    | SeekMessage
    | RewindMessage
    | RescueMessage
    | LandscapeMessage
    | ShowMessage,
    Field(discriminator="type"),
]


class ValueMessage(BaseModel):
    type: Literal["value"]
    index: int = Field(ge=0, le=3, description="Which run, in panel order.")
    value: Any = Field(description="Its new value of the varied field.")


# What a comparison's socket accepts: the session messages that make sense for a group.
GroupClientMessage = Annotated[
    Driving | ValueMessage | LandscapeMessage, Field(discriminator="type")
]

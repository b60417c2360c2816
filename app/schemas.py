"""Every pydantic model of the REST and WebSocket contract, in one place."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always 'ok' when the server answers.")
    version: str = Field(description="The running Stepwise version.")

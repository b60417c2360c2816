from pathlib import Path

import pytest

from app.config import Settings, describe

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text()
    missing = [name for name, _, _ in describe() if f"`{name}`" not in readme]
    assert missing == []


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"STEPWISE_PORT": "9001", "STEPWISE_MAX_SESSIONS": "7"})
    assert settings.port == 9001
    assert settings.max_sessions == 7
    assert settings.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STEPWISE_PORT": "eighty"}, "STEPWISE_PORT must be a int"),
        ({"STEPWISE_MAX_SESSION": "3"}, "unknown setting STEPWISE_MAX_SESSION"),
    ],
)
def test_bad_settings_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(environ)

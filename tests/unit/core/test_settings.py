"""Settings fail at start, naming what is missing."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.core.private_files import ensure_local_secret
from bot.core.settings import SettingsError, load_settings


def test_the_embedded_default_needs_nothing() -> None:
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("var/bpu.sqlite3")
    assert settings.telegram is None
    assert settings.first_response_working_days == 3
    assert settings.resolution_working_days == 14


def test_telegram_polling_with_only_a_token() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert settings.telegram is not None
    assert settings.telegram.webhook_enabled is False
    assert settings.telegram.api_base_url == "https://api.telegram.org/bot"


def test_webhook_without_secret_names_the_missing_setting() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings(
            {"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_URL": "https://x"}
        )


def test_webhook_settings_without_token_name_the_token() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings({"TELEGRAM_WEBHOOK_SECRET": "abc"})


def test_secret_with_characters_telegram_refuses() -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK_SECRET": "a b"})


def test_malformed_numbers_are_named() -> None:
    with pytest.raises(SettingsError, match="RESOLUTION_WORKING_DAYS"):
        load_settings({"RESOLUTION_WORKING_DAYS": "fourteen"})


def test_local_secret_is_created_once_and_private(tmp_path: Path) -> None:
    first = ensure_local_secret(tmp_path, "rasa_token")
    again = ensure_local_secret(tmp_path, "rasa_token")
    assert first == again
    assert len(first) >= 40
    assert (tmp_path / "secrets" / "rasa_token").stat().st_mode & 0o077 == 0


def test_postgres_without_a_data_key_names_it() -> None:
    with pytest.raises(SettingsError, match="DATA_ENCRYPTION_KEY"):
        load_settings({"DATABASE_URL": "postgresql+psycopg://127.0.0.1/test"})


def test_short_data_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"DATA_ENCRYPTION_KEY": "short"})


def test_embedded_default_creates_its_data_key_once(tmp_path: Path) -> None:
    settings = load_settings({"BPU_VAR_DIR": str(tmp_path)})
    assert settings.data_encryption_key is None
    first = settings.data_key()
    assert len(first) >= 32
    assert settings.data_key() == first


WHATSAPP = {
    "WHATSAPP_ACCESS_TOKEN": "EAAG",
    "WHATSAPP_APP_SECRET": "secret",
    "WHATSAPP_VERIFY_TOKEN": "verify",
    "WHATSAPP_PHONE_NUMBER_ID": "1065",
}


def test_whatsapp_is_off_without_settings_and_on_with_all_four() -> None:
    assert load_settings({}).whatsapp is None
    settings = load_settings(WHATSAPP)
    assert settings.whatsapp is not None
    assert settings.whatsapp.api_base_url == "https://graph.facebook.com/v21.0"
    assert settings.whatsapp.template_language == "id"
    assert settings.whatsapp.template_name is None
    assert settings.rate_limit_per_minute == 20


@pytest.mark.parametrize("missing", sorted(WHATSAPP))
def test_half_configured_whatsapp_names_the_missing_setting(missing: str) -> None:
    partial = {k: v for k, v in WHATSAPP.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(partial)


def test_rate_limit_and_length_must_be_positive() -> None:
    assert load_settings({"RATE_LIMIT_PER_MINUTE": "5"}).rate_limit_per_minute == 5
    with pytest.raises(SettingsError, match="RATE_LIMIT_PER_MINUTE"):
        load_settings({"RATE_LIMIT_PER_MINUTE": "0"})
    with pytest.raises(SettingsError, match="MAX_INBOUND_CHARS"):
        load_settings({"MAX_INBOUND_CHARS": "-1"})


def test_the_environment_wins_over_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comments and blank lines are skipped\n\n"
        "GATEWAY_PORT=9000\n"
        "RESOLUTION_WORKING_DAYS='10'\n"
        'REGISTRY_URL="http://registry.test"\n'
        "RATE_LIMIT_PER_MINUTE\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    for name in ("RESOLUTION_WORKING_DAYS", "REGISTRY_URL", "RATE_LIMIT_PER_MINUTE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(env_file=env_file)
    assert settings.gateway_port == 9100
    assert settings.resolution_working_days == 10
    assert settings.registry_url == "http://registry.test"
    assert settings.rate_limit_per_minute == 20  # a bare name is not a value


def test_a_given_mapping_is_the_whole_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "9100")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    settings = load_settings({})
    assert settings.gateway_port == 8000
    assert settings.telegram is None


def test_blank_settings_count_as_unset() -> None:
    settings = load_settings(
        {"REDIS_URL": "  ", "GATEWAY_PORT": "", "TELEGRAM_WEBHOOK_SECRET": " "}
    )
    assert settings.redis_url is None
    assert settings.gateway_port == 8000
    assert settings.telegram is None


def test_missing_data_key_fails_when_the_cli_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://127.0.0.1/test")
    # Blank in the environment is unset, and it hides any key in a developer's .env.
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", "")
    assert main(["tickets", "list"]) == 2
    assert "DATA_ENCRYPTION_KEY is missing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STAFF_HOURS_START": "8"}, "STAFF_HOURS_START must look like 08:00"),
        ({"STAFF_HOURS_END": "16.00"}, "STAFF_HOURS_END must look like 08:00"),
        ({"RASA_TIMEOUT_SECONDS": "soon"}, "RASA_TIMEOUT_SECONDS must be a number"),
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT must be a whole number"),
    ],
)
def test_malformed_values_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_office_hours_as_staff_write_them() -> None:
    settings = load_settings({"STAFF_HOURS_START": "7:30", "STAFF_HOURS_END": "15:00"})
    assert settings.staff_hours_start == time(7, 30)
    assert settings.staff_hours_end == time(15, 0)


@pytest.mark.parametrize(
    ("host", "enabled", "on"),
    [
        ("127.0.0.1", None, True),
        ("localhost", None, True),
        ("::1", None, True),
        ("0.0.0.0", None, False),  # noqa: S104 - what an exposed gateway binds
        ("10.1.2.3", None, False),
        ("0.0.0.0", "true", True),  # noqa: S104
        ("127.0.0.1", "false", False),
    ],
)
def test_the_web_chat_is_on_by_default_only_on_loopback(
    host: str, enabled: str | None, on: bool
) -> None:
    environ = {"GATEWAY_HOST": host}
    if enabled is not None:
        environ["WEBCHAT_ENABLED"] = enabled
    assert (load_settings(environ).webchat is not None) is on


def test_web_chat_and_status_limits_are_read() -> None:
    settings = load_settings(
        {
            "WEBCHAT_LIMIT_PER_IP_PER_MINUTE": "5",
            "WEBCHAT_LIMIT_GLOBAL_PER_MINUTE": "50",
            "STATUS_LOOKUP_FAILURES_PER_HOUR": "3",
            "STATUS_LOOKUP_FAILURES_GLOBAL_PER_MINUTE": "9",
        }
    )
    assert settings.webchat is not None
    assert (settings.webchat.per_ip_per_minute, settings.webchat.global_per_minute) == (
        5,
        50,
    )
    limits = settings.status_limits
    assert (limits.per_sender_per_hour, limits.global_per_minute) == (3, 9)
    defaults = load_settings({})
    assert defaults.webchat is not None
    assert defaults.webchat.per_ip_per_minute == 30
    assert defaults.status_limits.per_sender_per_hour == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBCHAT_ENABLED", "mungkin"),
        ("WEBCHAT_LIMIT_PER_IP_PER_MINUTE", "0"),
        ("STATUS_LOOKUP_FAILURES_PER_HOUR", "-1"),
    ],
)
def test_malformed_web_chat_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})

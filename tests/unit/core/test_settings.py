"""Settings fail at start, naming what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.settings import SettingsError, ensure_local_secret, load_settings


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

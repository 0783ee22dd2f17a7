"""Settings, read once from the environment (and a ``.env`` file) at start-up.

A channel switches on when its settings are present; a channel that is half
configured fails at start with a message naming what is missing, instead of failing
later on the first participant's message.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"


class SettingsError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class TelegramSettings:
    """Telegram Bot API access; webhook mode when ``webhook_url`` is set."""

    bot_token: str
    api_base_url: str
    webhook_secret: str | None
    webhook_url: str | None

    @property
    def webhook_enabled(self) -> bool:
        """The gateway serves /telegram/webhook only with a secret to check."""
        return self.webhook_secret is not None


@dataclass(frozen=True)
class WhatsAppSettings:
    """WhatsApp Business Cloud API access (all four secrets or none)."""

    access_token: str
    app_secret: str
    verify_token: str
    phone_number_id: str
    api_base_url: str
    # The approved template used outside the 24-hour customer-service window; it
    # must have exactly one body variable ({{1}}) that carries the message.
    template_name: str | None
    template_language: str


@dataclass(frozen=True)
class Settings:
    """Everything the gateway, the action server and the CLI read from outside."""

    database_url: str
    var_dir: Path
    rasa_url: str
    rasa_token: str | None
    rasa_timeout_seconds: float
    redis_url: str | None
    telegram: TelegramSettings | None
    gateway_host: str
    gateway_port: int
    first_response_working_days: int
    resolution_working_days: int
    staff_hours_start: time
    staff_hours_end: time
    offices_file: Path
    max_inbound_chars: int
    data_encryption_key: str | None
    whatsapp: WhatsAppSettings | None = None
    rate_limit_per_minute: int = 20
    # Stopping participation: the core system's registry and the service level.
    registry_url: str | None = None
    registry_token: str | None = None
    registry_timeout_seconds: float = 5.0
    resignation_processing_working_days: int = 5
    participants_file: Path = PROJECT_ROOT / "bot" / "data" / "participants.csv"

    @property
    def uses_sqlite(self) -> bool:
        """The embedded default: one machine, secrets may live under ``var/``."""
        return self.database_url.startswith("sqlite")

    def data_key(self) -> str:
        """The secret behind ``bot.core.crypto.DataCipher``.

        ``DATA_ENCRYPTION_KEY`` when set; on the embedded SQLite default a random key
        is created once under ``var/secrets/`` so ``make run`` needs no configuration.
        """
        if self.data_encryption_key is not None:
            return self.data_encryption_key
        return ensure_local_secret(self.var_dir, "data_key")


def _read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; the real environment wins over the file."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _clock(env: Mapping[str, str], name: str, default: str) -> time:
    raw = env.get(name) or default
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise SettingsError(f"{name} must look like 08:00, got {raw!r}") from exc


def _nonempty(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _telegram(env: Mapping[str, str]) -> TelegramSettings | None:
    token = _nonempty(env, "TELEGRAM_BOT_TOKEN")
    webhook_url = _nonempty(env, "TELEGRAM_WEBHOOK_URL")
    secret = _nonempty(env, "TELEGRAM_WEBHOOK_SECRET")
    if token is None:
        if webhook_url or secret:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is missing: it is required when "
                "TELEGRAM_WEBHOOK_URL or TELEGRAM_WEBHOOK_SECRET is set"
            )
        return None
    if webhook_url and not secret:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET is missing: it is required when "
            "TELEGRAM_WEBHOOK_URL is set (every webhook request is checked against it)"
        )
    if secret is not None and not all(c.isalnum() or c in "_-" for c in secret):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and -"
        )
    return TelegramSettings(
        bot_token=token,
        api_base_url=env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org/bot",
        webhook_secret=secret,
        webhook_url=webhook_url,
    )


WHATSAPP_REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)


def _whatsapp(env: Mapping[str, str]) -> WhatsAppSettings | None:
    values = {name: _nonempty(env, name) for name in WHATSAPP_REQUIRED}
    missing = [name for name, value in values.items() if value is None]
    if len(missing) == len(WHATSAPP_REQUIRED):
        return None
    if missing:
        raise SettingsError(
            f"{', '.join(missing)} missing: WhatsApp needs all of "
            f"{', '.join(WHATSAPP_REQUIRED)} (every POST is checked with the app "
            "secret, the GET verification with the verify token)"
        )
    base = _nonempty(env, "WHATSAPP_API_BASE_URL") or "https://graph.facebook.com/v21.0"
    return WhatsAppSettings(
        access_token=str(values["WHATSAPP_ACCESS_TOKEN"]),
        app_secret=str(values["WHATSAPP_APP_SECRET"]),
        verify_token=str(values["WHATSAPP_VERIFY_TOKEN"]),
        phone_number_id=str(values["WHATSAPP_PHONE_NUMBER_ID"]),
        api_base_url=base.rstrip("/"),
        template_name=_nonempty(env, "WHATSAPP_TEMPLATE_NAME"),
        template_language=_nonempty(env, "WHATSAPP_TEMPLATE_LANGUAGE") or "id",
    )


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, got {value}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from ``environ`` (default: ``os.environ`` over ``.env``)."""
    if environ is None:
        env = {**_read_dotenv(PROJECT_ROOT / ".env"), **os.environ}
    else:
        env = dict(environ)
    var_dir = Path(env.get("BPU_VAR_DIR") or DEFAULT_VAR_DIR)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'bpu.sqlite3'}"
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        rasa_url=(env.get("RASA_URL") or "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=_nonempty(env, "RASA_TOKEN"),
        rasa_timeout_seconds=float(env.get("RASA_TIMEOUT_SECONDS") or 30),
        redis_url=_nonempty(env, "REDIS_URL"),
        telegram=_telegram(env),
        gateway_host=env.get("GATEWAY_HOST") or "127.0.0.1",
        gateway_port=_int(env, "GATEWAY_PORT", 8000),
        first_response_working_days=_int(env, "FIRST_RESPONSE_WORKING_DAYS", 3),
        resolution_working_days=_int(env, "RESOLUTION_WORKING_DAYS", 14),
        staff_hours_start=_clock(env, "STAFF_HOURS_START", "08:00"),
        staff_hours_end=_clock(env, "STAFF_HOURS_END", "16:00"),
        offices_file=Path(
            env.get("OFFICES_FILE") or PROJECT_ROOT / "bot" / "data" / "offices.yml"
        ),
        max_inbound_chars=_positive(env, "MAX_INBOUND_CHARS", 2000),
        data_encryption_key=_data_key(env, database_url),
        whatsapp=_whatsapp(env),
        rate_limit_per_minute=_positive(env, "RATE_LIMIT_PER_MINUTE", 20),
        registry_url=_nonempty(env, "REGISTRY_URL"),
        registry_token=_nonempty(env, "REGISTRY_TOKEN"),
        registry_timeout_seconds=float(env.get("REGISTRY_TIMEOUT_SECONDS") or 5),
        resignation_processing_working_days=_int(
            env, "RESIGNATION_PROCESSING_WORKING_DAYS", 5
        ),
        participants_file=Path(
            env.get("PARTICIPANTS_FILE")
            or PROJECT_ROOT / "bot" / "data" / "participants.csv"
        ),
    )


def _data_key(env: Mapping[str, str], database_url: str) -> str | None:
    """The key must be shared by every process of a production (non-SQLite) install."""
    key = _nonempty(env, "DATA_ENCRYPTION_KEY")
    if key is None and not database_url.startswith("sqlite"):
        raise SettingsError(
            "DATA_ENCRYPTION_KEY is missing: it is required with a non-SQLite "
            "DATABASE_URL (every gateway and action server must share it)"
        )
    if key is not None and len(key) < 32:
        raise SettingsError("DATA_ENCRYPTION_KEY must be at least 32 characters")
    return key


def ensure_local_secret(var_dir: Path, name: str) -> str:
    """Return a random secret kept in ``var_dir``, creating it on first use.

    The embedded default needs no configuration: secrets such as the Rasa API token
    are generated once per installation and kept out of the repository.
    """
    path = var_dir / "secrets" / name
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value

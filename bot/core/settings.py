"""Settings, read once from the environment (and a ``.env`` file) at start-up.

pydantic-settings reads the variables (the real environment wins over ``.env``) and
converts each one; a malformed value fails with a message naming the variable. What
stays hand-written here are the rules across several variables: a channel switches
on when its settings are present, and a channel that is half configured fails at
start with a message naming what is missing, instead of failing later on the first
participant's message. pydantic's per-field errors cannot name the missing partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.core import limit_settings as limits
from bot.core.durable_settings import DurableSettings, durable_fields
from bot.core.limit_settings import StatusLookupLimits, WebChatSettings, limit_fields
from bot.core.private_files import ensure_local_secret

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
DOTENV = PROJECT_ROOT / ".env"


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
    # The approved AUTHENTICATION template that carries one-time codes (body {{1}}
    # and a copy-code URL button); without it no code can be sent on WhatsApp.
    code_template_name: str | None = None


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
    whatsapp: WhatsAppSettings | None
    rate_limit_per_minute: int
    # Stopping participation: the core system's registry and the service level.
    registry_url: str | None
    registry_token: str | None
    registry_timeout_seconds: float
    resignation_processing_working_days: int
    participants_file: Path
    # The web chat (None: off) and status look-up limits: bot/core/limit_settings.py
    webchat: WebChatSettings | None = None
    status_limits: StatusLookupLimits = field(default_factory=StatusLookupLimits)
    # Failed identity verifications per minute, everyone together, before staff
    # are alerted (bot/resignation/verification.py).
    verify_failures_global_per_minute: int = 30
    # Rasa's tracker and lock stores, the action server: bot/core/durable_settings.py
    durable: DurableSettings = field(default_factory=DurableSettings)
    retention: limits.Retention = field(default_factory=limits.Retention)

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


def _clock(raw: Any) -> Any:
    """``8:00`` or ``08:00``, as staff write office hours.

    Hand-written because pydantic's time parser refuses ``8:00`` (it wants ISO
    ``08:00``) and accepts seconds, which office hours never have.
    """
    if not isinstance(raw, str):
        return raw
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError("must look like 08:00") from exc


Clock = Annotated[time, BeforeValidator(_clock)]


class _Environment(BaseSettings):
    """The variables as read and converted; ``load_settings`` assembles them.

    Each field is read from the variable of the same name in capitals
    (``gateway_port`` from ``GATEWAY_PORT``).
    """

    model_config = SettingsConfigDict(
        env_file_encoding="utf-8",
        case_sensitive=True,
        alias_generator=str.upper,
        extra="ignore",
        frozen=True,
    )

    database_url: str | None = None
    bpu_var_dir: Path = DEFAULT_VAR_DIR
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str | None = None
    rasa_timeout_seconds: float = 30
    redis_url: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str | None = None
    telegram_webhook_url: str | None = None
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    first_response_working_days: int = 3
    resolution_working_days: int = 14
    staff_hours_start: Clock = time(8, 0)
    staff_hours_end: Clock = time(16, 0)
    offices_file: Path = PROJECT_ROOT / "bot" / "data" / "offices.yml"
    max_inbound_chars: int = Field(default=2000, ge=1)
    data_encryption_key: str | None = Field(default=None, min_length=32)
    whatsapp_access_token: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base_url: str = "https://graph.facebook.com/v21.0"
    whatsapp_template_name: str | None = None
    whatsapp_template_language: str = "id"
    whatsapp_code_template_name: str | None = None
    rate_limit_per_minute: int = Field(default=20, ge=1)
    registry_url: str | None = None
    registry_token: str | None = None
    registry_timeout_seconds: float = 5
    resignation_processing_working_days: int = 5
    participants_file: Path = PROJECT_ROOT / "bot" / "data" / "participants.csv"
    webchat_enabled: bool | None = None
    webchat_limit_per_ip_per_minute: int = Field(default=30, ge=1)
    webchat_limit_global_per_minute: int = Field(default=300, ge=1)
    status_lookup_failures_per_hour: int = Field(default=5, ge=1)
    status_lookup_failures_global_per_minute: int = Field(default=30, ge=1)
    verify_failures_global_per_minute: int = Field(default=30, ge=1)
    action_endpoint_url: str = "http://127.0.0.1:5055/webhook"
    tracker_store_url: str | None = None
    outbox_retry_base_seconds: float = Field(default=1.0, gt=0)
    outbox_retry_max_seconds: float = Field(default=300.0, gt=0)
    outbox_max_attempts: int = Field(default=30, ge=1)
    action_store_patience_seconds: float = Field(default=25.0, ge=0)
    retention_days: int = Field(default=90, ge=1)
    closed_retention_days: int = Field(default=730, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """``KEY=``, only spaces or a bare ``KEY`` line mean "not set": the default."""
        if not isinstance(data, dict):
            return data
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in data.items()
            if value is not None and not (isinstance(value, str) and not value.strip())
        }


class _GivenEnvironment(_Environment):
    """The same variables from a given mapping only (tests, the fake gateway)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


_PROBLEMS = {
    "int_parsing": "must be a whole number, got {input!r}",
    "float_parsing": "must be a number, got {input!r}",
    "bool_parsing": "must be true or false, got {input!r}",
    "greater_than_equal": "must be at least {ge}, got {input}",
    "greater_than": "must be more than {gt}, got {input}",
    "string_too_short": "must be at least {min_length} characters",
    "value_error": "{error}, got {input!r}",
}


def _explain(error: ValidationError) -> SettingsError:
    """pydantic's errors, each naming the variable, as one ``SettingsError``."""
    problems = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"])
        template = _PROBLEMS.get(item["type"])
        detail = (
            template.format(input=item["input"], **item.get("ctx", {}))
            if template
            else item["msg"]
        )
        problems.append(f"{name} {detail}")
    return SettingsError("; ".join(problems))


def _read(environ: Mapping[str, str] | None, env_file: Path) -> _Environment:
    try:
        if environ is None:
            # pydantic-settings' own init options are invisible to mypy's view of
            # the model's fields (no pydantic plugin here).
            return _Environment(_env_file=env_file)  # type: ignore[call-arg]
        return _GivenEnvironment.model_validate(dict(environ))
    except ValidationError as exc:
        raise _explain(exc) from None


def _telegram(env: _Environment) -> TelegramSettings | None:
    token = env.telegram_bot_token
    webhook_url = env.telegram_webhook_url
    secret = env.telegram_webhook_secret
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
        api_base_url=env.telegram_api_base_url,
        webhook_secret=secret,
        webhook_url=webhook_url,
    )


WHATSAPP_REQUIRED = (
    "WHATSAPP_ACCESS_TOKEN",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
)


def _whatsapp(env: _Environment) -> WhatsAppSettings | None:
    values = {name: getattr(env, name.lower()) for name in WHATSAPP_REQUIRED}
    missing = [name for name, value in values.items() if value is None]
    if len(missing) == len(WHATSAPP_REQUIRED):
        return None
    if missing:
        raise SettingsError(
            f"{', '.join(missing)} missing: WhatsApp needs all of "
            f"{', '.join(WHATSAPP_REQUIRED)} (every POST is checked with the app "
            "secret, the GET verification with the verify token)"
        )
    return WhatsAppSettings(
        access_token=str(values["WHATSAPP_ACCESS_TOKEN"]),
        app_secret=str(values["WHATSAPP_APP_SECRET"]),
        verify_token=str(values["WHATSAPP_VERIFY_TOKEN"]),
        phone_number_id=str(values["WHATSAPP_PHONE_NUMBER_ID"]),
        api_base_url=env.whatsapp_api_base_url.rstrip("/"),
        template_name=env.whatsapp_template_name,
        template_language=env.whatsapp_template_language,
        code_template_name=env.whatsapp_code_template_name,
    )


def _data_key(env: _Environment, database_url: str) -> str | None:
    """The key must be shared by every process of a production (non-SQLite) install."""
    key = env.data_encryption_key
    if key is None and not database_url.startswith("sqlite"):
        raise SettingsError(
            "DATA_ENCRYPTION_KEY is missing: it is required with a non-SQLite "
            "DATABASE_URL (every gateway and action server must share it)"
        )
    return key


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path = DOTENV
) -> Settings:
    """Build the settings from ``environ`` (default: ``os.environ`` over ``env_file``).

    A given ``environ`` is the whole environment: neither ``os.environ`` nor the
    file is read, so a test sees exactly what it passes.
    """
    env = _read(environ, env_file)
    var_dir = env.bpu_var_dir
    database_url = env.database_url or f"sqlite:///{var_dir / 'bpu.sqlite3'}"
    try:
        durable = durable_fields(env, database_url, var_dir)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        rasa_url=env.rasa_url.rstrip("/"),
        rasa_token=env.rasa_token,
        rasa_timeout_seconds=env.rasa_timeout_seconds,
        redis_url=env.redis_url,
        telegram=_telegram(env),
        gateway_host=env.gateway_host,
        gateway_port=env.gateway_port,
        first_response_working_days=env.first_response_working_days,
        resolution_working_days=env.resolution_working_days,
        staff_hours_start=env.staff_hours_start,
        staff_hours_end=env.staff_hours_end,
        offices_file=env.offices_file,
        max_inbound_chars=env.max_inbound_chars,
        data_encryption_key=_data_key(env, database_url),
        whatsapp=_whatsapp(env),
        rate_limit_per_minute=env.rate_limit_per_minute,
        registry_url=env.registry_url,
        registry_token=env.registry_token,
        registry_timeout_seconds=env.registry_timeout_seconds,
        resignation_processing_working_days=env.resignation_processing_working_days,
        participants_file=env.participants_file,
        verify_failures_global_per_minute=env.verify_failures_global_per_minute,
        **limit_fields(env),
        **durable,
    )

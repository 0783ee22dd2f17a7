"""The web chat's switch and the limits that protect it and the status look-up.

Read with the other settings (``bot.core.settings``). The web chat is a page anyone
who can reach the gateway may use with session ids of their own choosing, so it is
off unless ``WEBCHAT_ENABLED`` says otherwise, and on by default only when the
gateway listens on loopback (a laptop, a test). Its limits count per caller address
and in total, not per session, so rotating session ids does not escape them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class WebChatSettings:
    """The web chat is on; messages per caller address and in total per minute."""

    per_ip_per_minute: int
    global_per_minute: int


@dataclass(frozen=True)
class StatusLookupLimits:
    """Failed look-ups by reference (unknown, or not the filer's) before refusing."""

    per_sender_per_hour: int = 5
    global_per_minute: int = 30


@dataclass(frozen=True)
class Retention:
    """How long data is kept (PRODUCT.md §8; ``python -m bot purge`` deletes it).

    Transcripts go after ``days``; tickets closed (and resignation requests filed)
    ``closed_days`` ago keep their facts only. The consent text states both
    (F-SVC-RETENTION), so a change here is a change of that text too.
    """

    days: int = 90
    closed_days: int = 730


def is_loopback(host: str) -> bool:
    """Whether ``host`` (``GATEWAY_HOST``) is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def webchat_settings(
    enabled: bool | None, host: str, per_ip: int, overall: int
) -> WebChatSettings | None:
    """The web chat's settings, or None when it is off (unset: on for loopback)."""
    if enabled is None:
        enabled = is_loopback(host)
    return WebChatSettings(per_ip, overall) if enabled else None


class LimitVariables(Protocol):
    """The variables read here (``bot.core.settings``' environment has them)."""

    @property
    def gateway_host(self) -> str: ...
    @property
    def webchat_enabled(self) -> bool | None: ...
    @property
    def webchat_limit_per_ip_per_minute(self) -> int: ...
    @property
    def webchat_limit_global_per_minute(self) -> int: ...
    @property
    def status_lookup_failures_per_hour(self) -> int: ...
    @property
    def status_lookup_failures_global_per_minute(self) -> int: ...
    @property
    def retention_days(self) -> int: ...
    @property
    def closed_retention_days(self) -> int: ...


def limit_fields(env: LimitVariables) -> dict[str, Any]:
    """The ``Settings`` fields this module owns, from the variables."""
    return {
        "webchat": webchat_settings(
            env.webchat_enabled,
            env.gateway_host,
            env.webchat_limit_per_ip_per_minute,
            env.webchat_limit_global_per_minute,
        ),
        "status_limits": StatusLookupLimits(
            env.status_lookup_failures_per_hour,
            env.status_lookup_failures_global_per_minute,
        ),
        "retention": Retention(env.retention_days, env.closed_retention_days),
    }

"""The staff console, served by the gateway under ``/staff`` (PRODUCT.md §7)."""

from bot.console.app import create_console

__all__ = ["create_console"]

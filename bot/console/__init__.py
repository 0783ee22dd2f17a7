"""The staff console, served by the gateway under ``/staff`` (PRODUCT.md §7)."""

from bot.console.app import Console

__all__ = ["Console"]

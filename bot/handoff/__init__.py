"""Handing a conversation to people and back (PRODUCT.md §3.4)."""

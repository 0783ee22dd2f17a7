"""Layanan Mandiri BPU: the gateway, the store, the services and the CLI."""

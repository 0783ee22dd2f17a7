"""Channel adapters (Telegram, WhatsApp, web chat): wire formats only."""

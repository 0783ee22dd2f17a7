"""The console's routes, one module per page; ``bot.console.app`` mounts them all.

Every route but the login form sits behind ``bot.console.auth.requires`` and does
its store work through ``Database.run``.
"""

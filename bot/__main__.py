"""``python -m bot ...``: the gateway server and the operator commands."""

from bot.cli import main

raise SystemExit(main())

"""Operator commands: serve the gateway, migrate the database, list tickets."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from bot.settings import Settings, SettingsError, ensure_local_secret, load_settings
from bot.store.db import Database


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app

    app = create_app(settings)
    url = f"http://{settings.gateway_host}:{settings.gateway_port}"
    print(f"Web chat: {url}/", flush=True)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="info",
        access_log=False,
        # No websockets: rasa-sdk pins an old websockets that uvicorn cannot use.
        ws="none",
    )
    return 0


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.store.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def _tickets_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.tickets import as_json, list_tickets

    db = Database(settings.database_url)
    try:
        with db.session() as session:
            items = [as_json(ticket) for ticket in list_tickets(session)]
    finally:
        db.dispose()
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for item in items:
            print(
                f"{item['id']}  {item['kind']:<11} {item['status']:<16} "
                f"{item['office'] or item['office_text'] or '-':<20} "
                f"{item['created_at']}"
            )
    return 0


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.crypto import DataCipher
    from bot.registry import SqlRegistry, read_csv

    db = Database(settings.database_url)
    try:
        registry = SqlRegistry(db, DataCipher(settings.data_key()))
        if args.if_empty and registry.count() > 0:
            print("demo registry already loaded")
            return 0
        path = Path(args.csv) if args.csv else settings.participants_file
        loaded = registry.load(read_csv(path))
    finally:
        db.dispose()
    print(f"demo registry: {loaded} participants loaded from {path.name}")
    return 0


def _secret(settings: Settings, args: argparse.Namespace) -> int:
    print(ensure_local_secret(settings.var_dir, args.name))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command tree."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("serve", help="run the gateway").set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)

    tickets = commands.add_parser("tickets", help="complaints and requests")
    tickets_commands = tickets.add_subparsers(dest="tickets_command", required=True)
    listing = tickets_commands.add_parser("list", help="list tickets")
    listing.add_argument(
        "--json", action="store_true", help="JSON array (PRODUCT.md §10)"
    )
    listing.set_defaults(handler=_tickets_list)

    seed = commands.add_parser(
        "seed-demo", help="load the demo participant registry (NIKs encrypted)"
    )
    seed.add_argument("--csv", help="participants CSV (default: PARTICIPANTS_FILE)")
    seed.add_argument(
        "--if-empty", action="store_true", help="do nothing when already loaded"
    )
    seed.set_defaults(handler=_seed_demo)

    secret = commands.add_parser(
        "secret", help="print a local secret, creating it once"
    )
    secret.add_argument("name", choices=["rasa_token"])
    secret.set_defaults(handler=_secret)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; settings errors end with a message naming the setting."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handler = args.handler
    result: int = handler(settings, args)
    return result

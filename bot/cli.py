"""Operator commands: serve the gateway, migrate the database, list tickets."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.core.logs import configure_json_logging
from bot.core.private_files import ensure_local_secret
from bot.core.settings import Settings, SettingsError, load_settings
from bot.store.db import Database


def _serve(settings: Settings, _args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import create_app

    app = create_app(settings)
    url = f"http://{settings.gateway_host}:{settings.gateway_port}"
    if settings.webchat is not None:
        print(f"Web chat: {url}/", flush=True)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_level="info",
        log_config=None,  # uvicorn's records go to the JSON handler too
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
    from bot.tickets.records import as_json, list_tickets

    with Database(settings.database_url) as db, db.session() as session:
        items = [as_json(ticket) for ticket in list_tickets(session)]
    return _print_items(
        items,
        args.json,
        lambda item: (
            f"{item['id']}  {item['kind']:<11} {item['status']:<16} "
            f"{item['office'] or item['office_text'] or '-':<20} "
            f"{item['created_at']}"
        ),
    )


def _purge(settings: Settings, _args: argparse.Namespace) -> int:
    """Retention (PRODUCT.md §8), safe from cron while the bot serves."""
    from bot.retention import purge

    with Database(settings.database_url) as db:
        report = purge(
            db,
            retention_days=settings.retention.days,
            closed_retention_days=settings.retention.closed_days,
            tracker_store_url=settings.durable.tracker_store_url,
        )
    json.dump(report.as_json(), sys.stdout)
    print()
    return 0


def _print_items(
    items: list[dict[str, Any]], as_json: bool, row: Callable[[dict[str, Any]], str]
) -> int:
    """A listing as the JSON array other tools read, or one line per item."""
    if as_json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for item in items:
            print(row(item))
    return 0


def _seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.core.crypto import DataCipher
    from bot.resignation.registry import SqlRegistry, read_csv

    with Database(settings.database_url) as db:
        registry = SqlRegistry(db, DataCipher(settings.data_key()))
        if args.if_empty and registry.count() > 0:
            print("demo registry already loaded")
            return 0
        path = Path(args.csv) if args.csv else settings.participants_file
        loaded = registry.load(read_csv(path))
    print(f"demo registry: {loaded} participants loaded from {path.name}")
    return 0


def _rasa_endpoints(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.core.rasa_endpoints import write_endpoints

    path = Path(args.out) if args.out else settings.var_dir / "rasa" / "endpoints.yml"
    try:
        print(write_endpoints(settings, path))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _secret(settings: Settings, args: argparse.Namespace) -> int:
    print(ensure_local_secret(settings.var_dir, args.name))
    return 0


def _staff_add(settings: Settings, args: argparse.Namespace) -> int:
    from bot.staff.accounts import StaffError, add_staff

    password = sys.stdin.readline().rstrip("\n")
    try:
        with Database(settings.database_url) as db, db.session() as session:
            add_staff(session, args.name, password, args.role)
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"staff member {args.name} added as {args.role}")
    return 0


def _staff_bootstrap(settings: Settings, _args: argparse.Namespace) -> int:
    """First run only: a supervisor with a random password, printed once."""
    import secrets

    from bot.staff.accounts import add_staff, count_staff

    with Database(settings.database_url) as db, db.session() as session:
        if count_staff(session):
            return 0
        password = secrets.token_urlsafe(12)
        add_staff(session, "supervisor", password, "supervisor")
    print("Staff console: first login (shown only this once)")
    print("  name:     supervisor")
    print(f"  password: {password}")
    return 0


def _handoffs_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.handoff.handoffs import as_json, list_handoffs, message_counts

    with Database(settings.database_url) as db, db.session() as session:
        counts = message_counts(session)
        items = [
            as_json(h, counts.get(h.conversation_id, 0))
            for h in list_handoffs(session, active_only=args.active)
        ]
    return _print_items(
        items,
        args.json,
        lambda item: (
            f"{item['id']:>5}  {item['channel']:<9} {item['status']:<9} "
            f"{item['reason']:<20} {item['message_count']:>4}  {item['created_at']}"
        ),
    )


def _data_commands(commands: Any) -> None:
    """Data that is not a ticket: retention."""
    commands.add_parser(
        "purge",
        help="delete what is past its retention (RETENTION_DAYS, "
        "CLOSED_RETENTION_DAYS); prints a JSON report",
    ).set_defaults(handler=_purge)


def _local_setup_commands(commands: Any) -> None:
    """What ``scripts/run`` prepares before the processes start."""
    endpoints = commands.add_parser(
        "rasa-endpoints",
        help="write Rasa's endpoints.yml (tracker and lock store) from the settings",
    )
    endpoints.add_argument(
        "--out", help="where to write it (default: var/rasa/endpoints.yml)"
    )
    endpoints.set_defaults(handler=_rasa_endpoints)

    secret = commands.add_parser(
        "secret", help="print a local secret, creating it once"
    )
    secret.add_argument("name", choices=["rasa_token"])
    secret.set_defaults(handler=_secret)


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

    # Console accounts and the handoff queue.
    staff = commands.add_parser("staff", help="staff console accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser(
        "add", help="add an account; the password is read from stdin"
    )
    add.add_argument("name")
    add.add_argument("--role", choices=["agent", "supervisor"], required=True)
    add.set_defaults(handler=_staff_add)
    staff_commands.add_parser(
        "bootstrap",
        help="create a first supervisor with a random password when there is none",
    ).set_defaults(handler=_staff_bootstrap)

    handoffs = commands.add_parser("handoffs", help="conversations handed to people")
    handoffs_commands = handoffs.add_subparsers(dest="handoffs_command", required=True)
    handoffs_list = handoffs_commands.add_parser("list", help="list handoffs")
    handoffs_list.add_argument(
        "--json", action="store_true", help="JSON array (PRODUCT.md §10)"
    )
    handoffs_list.add_argument(
        "--active", action="store_true", help="only open and assigned ones"
    )
    handoffs_list.set_defaults(handler=_handoffs_list)

    _data_commands(commands)
    _local_setup_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; settings errors end with a message naming the setting."""
    args = build_parser().parse_args(argv)
    configure_json_logging()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handler = args.handler
    result: int = handler(settings, args)
    return result

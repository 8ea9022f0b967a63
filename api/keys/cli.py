"""`python -m api keys ...`: create, list and revoke API keys, on the database the service uses.

The key is printed once, as the last line of `keys create`; nothing else ever shows or logs it.
"""

import argparse
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from api.database import opened
from api.keys import service
from api.settings import Settings


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    """Run one `keys` command; the exit status."""
    commands: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
        "create": _create,
        "list": _list,
        "revoke": _revoke,
    }
    async with opened(settings):
        return await commands[arguments.keys_command](arguments)


async def _create(arguments: argparse.Namespace) -> int:
    try:
        issued = await service.create_key(arguments.tenant, arguments.label)
    except service.InvalidTenant as error:
        print(error, file=sys.stderr)
        return 2
    label = f" ({issued.record['label']})" if issued.record["label"] else ""
    print(f"created key {issued.record['id']} for tenant {issued.record['tenant']}{label}.")
    print("Keep it now; it cannot be shown again. Send it as `Authorization: Bearer <key>`:")
    print(issued.key)
    return 0


async def _list(arguments: argparse.Namespace) -> int:
    print(f"{'id':<16}  {'tenant':<20}  {'created':<20}  {'revoked':<20}  label")
    for record in await service.list_keys(arguments.tenant):
        revoked = record["revoked_at"].strftime("%Y-%m-%d %H:%M:%S") if record["revoked_at"] else "-"
        created = record["created_at"].strftime("%Y-%m-%d %H:%M:%S")
        print(f"{record['id']:<16}  {record['tenant']:<20}  {created:<20}  {revoked:<20}  {record['label'] or ''}")
    return 0


async def _revoke(arguments: argparse.Namespace) -> int:
    if await service.revoke_key(arguments.id):
        print(f"revoked key {arguments.id}")
        return 0
    print(f"no active key {arguments.id}", file=sys.stderr)
    return 1

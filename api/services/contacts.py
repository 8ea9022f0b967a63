"""Creating, reading and listing contacts; the one place that builds contact queries."""

import re

from beanie import SortDirection

from api.errors import NotFound
from models.contact import Contact, ContactFields

_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


class ContactNotFound(NotFound):
    """No contact has the requested id."""

    def __init__(self) -> None:
        super().__init__("No contact has this id.")


async def create_contact(fields: ContactFields) -> Contact:
    """Store a new contact and return it with its server-set fields."""
    contact = Contact.from_fields(fields)
    await contact.insert()
    return contact


async def get_contact(contact_id: str) -> Contact:
    """The contact with `contact_id`; a malformed id is simply not found."""
    contact = await Contact.get(contact_id) if is_contact_id(contact_id) else None
    if contact is None:
        raise ContactNotFound
    return contact


def is_contact_id(value: object) -> bool:
    """True for a well-formed contact id (24 lower-case hex digits)."""
    return isinstance(value, str) and _ID_PATTERN.match(value) is not None


async def list_contacts(limit: int, after_id: str | None = None) -> tuple[list[Contact], bool]:
    """Up to `limit` contacts in id (creation) order after `after_id`, and whether more follow."""
    query = Contact.find(Contact.id > after_id) if after_id is not None else Contact.find()
    found = await query.sort([("_id", SortDirection.ASCENDING)]).limit(limit + 1).to_list()
    return found[:limit], len(found) > limit

"""Path convertors for resource ids: only a well-formed id reaches a route, anything else is a 404.

So `/contacts/bulk` is not read as a contact id, and a malformed id is simply not found (as the contract says).
"""

from starlette.convertors import Convertor, register_url_convertor


class ObjectIdConvertor(Convertor[str]):
    """24 lower-case hex digits: the ids this API hands out."""

    regex = "[0-9a-f]{24}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


for name in ("contact_id", "group_id", "webhook_id"):
    register_url_convertor(name, ObjectIdConvertor())

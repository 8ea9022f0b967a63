"""Content negotiation (RFC 9110 `Accept`), with python-mimeparse's q-value matching."""

from collections.abc import Sequence

import mimeparse  # type: ignore[import-untyped]

JSON = "application/json"
VCARD = "text/vcard"
JCARD = "application/vcard+json"
CONTACT_TYPES = (JSON, VCARD, JCARD)


def preferred(accept: str | None, offered: Sequence[str] = CONTACT_TYPES) -> str:
    """The offered media type the client prefers; the first offered one (JSON) when `Accept` is absent,
    malformed or names none of them (RFC 9110 lets a server send its default instead of a 406).
    """
    if not accept:
        return offered[0]
    # On equal preference mimeparse takes the later one: list the default last.
    try:
        best: str = mimeparse.best_match(list(reversed(offered)), accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        return offered[0]
    return best or offered[0]

"""The benchmark's Eve peer: the contacts resource as a python-eve (Flask + PyMongo) user would declare it.

It runs only in its own virtualenv (`bench/eve-requirements.txt`, built by `bench.services.ensure_venv`),
under gunicorn: `python -m gunicorn --workers 1 --threads 8 bench.eve_app:app`, from the repository root.
`EVE_MONGO_URI` is a mongodb:// URI with its credential (and authSource), `EVE_MONGO_DBNAME` the database.
Everything else is Eve's default: ObjectId `_id`, `_created`/`_updated`/`_etag`, paginated lists with a
total count, no authentication, no CORS.
"""

import os

from eve import Eve  # type: ignore[import-not-found]  # installed in the Eve venv only, not in the harness's


def _nullable_text(maxlength: int | None = None) -> dict[str, object]:
    rule: dict[str, object] = {"type": "string", "nullable": True}
    if maxlength is not None:
        rule["maxlength"] = maxlength
    return rule


def _channels() -> dict[str, object]:
    """A list of emails or of phones: {value, label, primary}."""
    item = {
        "value": {"type": "string", "required": True},
        "label": _nullable_text(),
        "primary": {"type": "boolean"},
    }
    return {"type": "list", "schema": {"type": "dict", "schema": item}}


ADDRESS = {name: _nullable_text() for name in ("street", "city", "region", "postal_code", "country", "label")}

CONTACT_SCHEMA = {
    "name": {"type": "string", "required": True, "maxlength": 200},
    "given_name": _nullable_text(),
    "family_name": _nullable_text(),
    "company": _nullable_text(),
    "tags": {"type": "list", "schema": {"type": "string"}},
    "emails": _channels(),
    "phones": _channels(),
    "addresses": {"type": "list", "schema": {"type": "dict", "schema": ADDRESS}},
    "notes": _nullable_text(),
    # An ISO date as JSON sends it: Eve's `datetime` type would want an RFC 1123 string (DATE_FORMAT).
    "birthday": _nullable_text() | {"regex": r"^\d{4}-\d{2}-\d{2}$"},
}

SETTINGS = {
    "MONGO_URI": os.environ["EVE_MONGO_URI"],
    "MONGO_DBNAME": os.environ["EVE_MONGO_DBNAME"],
    "RESOURCE_METHODS": ["GET", "POST"],
    "ITEM_METHODS": ["GET", "PATCH", "PUT", "DELETE"],
    "X_DOMAINS": None,
    "DOMAIN": {"contacts": {"datasource": {"source": "contacts"}, "schema": CONTACT_SCHEMA}},
}

app = Eve(settings=SETTINGS)

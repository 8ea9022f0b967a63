"""The seed blog post's shapes: a flat contact in, `{"inserted_id"}` out, flat contacts listed."""

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from api.contacts.repository import ContactView
from api.contacts.schemas import ContactWrite
from models.channels import EmailEntry, PhoneEntry, normalize_email, normalize_phone
from models.fields import EmailText, ObjectIdHex, PhoneText


class SeedCreate(ContactWrite):
    """A contact as the seed accepted it: single `email` and `phone` allowed beside the full fields."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "masnun", "email": "masnun@example.com"}]})

    email: EmailText | None = None
    phone: PhoneText | None = None

    @field_validator("email", "phone")
    @classmethod
    def _normalizable(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            (normalize_email if info.field_name == "email" else normalize_phone)(value)
        return value

    def to_contact(self) -> ContactWrite:
        """The same contact with the single email and phone put first in the lists (primary if none is)."""
        contact = ContactWrite.model_validate(self.model_dump(exclude={"email", "phone"}))
        if self.email:
            primary = not any(entry.primary for entry in contact.emails)
            contact.emails.insert(0, EmailEntry(value=self.email, primary=primary))
        if self.phone:
            primary = not any(entry.primary for entry in contact.phones)
            contact.phones.insert(0, PhoneEntry(value=self.phone, primary=primary))
        return contact


class SeedContact(BaseModel):
    """The seed service's flat contact: `id` plus whichever of these fields are set."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": "582ceb772c608731477f5384", "name": "masnun"}]})

    id: ObjectIdHex
    name: str
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    notes: str | None = None


class SeedInserted(BaseModel):
    """The seed service's answer to `POST /new`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"inserted_id": "582ceb772c608731477f5384"}]})

    inserted_id: ObjectIdHex


def flatten(stored: ContactView) -> dict[str, Any]:
    """A contact in the seed's flat shape; the primary (else first) email and phone."""
    flat: dict[str, Any] = {"id": stored["id"], "name": stored["name"]}
    for single, entries in (("email", stored.get("emails") or []), ("phone", stored.get("phones") or [])):
        chosen = next((e for e in entries if e.get("primary")), entries[0] if entries else None)
        if chosen:
            flat[single] = chosen["value"]
    for field in ("company", "notes"):
        if (value := stored.get(field)) is not None:
            flat[field] = value
    return flat

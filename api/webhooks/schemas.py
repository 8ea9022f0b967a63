"""The shapes of webhook subscriptions and their deliveries."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, StrictBool, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from models.fields import LongText


class EventType(StrEnum):
    """What happened to a contact."""

    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_DELETED = "contact.deleted"
    CONTACT_MERGED = "contact.merged"
    GROUP_CREATED = "group.created"
    GROUP_UPDATED = "group.updated"
    GROUP_DELETED = "group.deleted"

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core))
        schema["examples"] = [cls.CONTACT_CREATED.value]
        return schema


# ASCII without spaces: a host with other characters is given in its IDNA (punycode) form.
Url = Annotated[str, StringConstraints(min_length=8, max_length=2048, pattern=r"^https?://[!-~]+$")]
Events = Annotated[list[EventType], Field(min_length=1, max_length=7, json_schema_extra={"uniqueItems": True})]
WEBHOOK_EXAMPLE: dict[str, Any] = {
    "url": "https://hooks.example.com/contacts",
    "events": ["contact.created", "contact.updated"],
    "description": "CRM sync",
}
STORED_EXAMPLE: dict[str, Any] = {
    "id": "6b081b01192d8ee71ccc1480",
    **WEBHOOK_EXAMPLE,
    "enabled": True,
    "disabled_reason": None,
    "created_at": "2026-12-03T10:00:00Z",
    "updated_at": "2026-12-03T10:00:00Z",
    "version": 1,
}


class WebhookWrite(BaseModel):
    """A subscription: where to POST which events."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [WEBHOOK_EXAMPLE]})

    url: Url = Field(description="http(s); private, loopback and link-local hosts are refused.")
    events: Events
    description: LongText | None = None


class WebhookPatch(BaseModel):
    """A JSON Merge Patch of a subscription; `enabled: true` turns a disabled one back on."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"enabled": True}]})

    url: Url | None = None
    events: Events | None = None
    description: LongText | None = None
    enabled: StrictBool | None = None


class WebhookOut(BaseModel):
    """A subscription as the API returns it (never its secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [STORED_EXAMPLE]})

    id: str
    url: str
    events: list[EventType]
    description: str | None
    enabled: bool
    disabled_reason: str | None = Field(description="Why it was disabled: its deliveries kept failing.")
    created_at: datetime
    updated_at: datetime
    version: int


class WebhookCreated(WebhookOut):
    """A new subscription, with its signing secret: shown this once."""

    model_config = ConfigDict(json_schema_extra={"examples": [STORED_EXAMPLE | {"secret": "whsec_MfKQ9r8GKYqrTwjU"}]})

    secret: str = Field(description="Standard Webhooks secret (`whsec_`...): verify `webhook-signature` with it.")


class WebhookPage(BaseModel):
    """The tenant's subscriptions, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [STORED_EXAMPLE], "next_cursor": None}]})

    items: list[WebhookOut]
    next_cursor: str | None


DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": "6b081b01192d8ee71ccc1480:000000000042u",
    "message_id": "msg_6b081b01192d8ee71ccc1480_42u",
    "event_type": "contact.updated",
    "seq": 42,
    "status": "delivered",
    "attempts": 2,
    "last_status_code": 200,
    "last_error": None,
    "next_attempt_at": "2026-12-03T10:00:05Z",
    "created_at": "2026-12-03T10:00:00Z",
    "delivered_at": "2026-12-03T10:00:05Z",
}


class DeliveryOut(BaseModel):
    """One event for the subscription, and how its delivery went."""

    model_config = ConfigDict(json_schema_extra={"examples": [DELIVERY_EXAMPLE]})

    id: str
    message_id: str = Field(description="The `webhook-id` header: the same at every attempt (deduplicate on it).")
    event_type: EventType
    seq: int = Field(description="The change's number in the tenant's change feed.")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    """A subscription's deliveries, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [DELIVERY_EXAMPLE], "next_cursor": None}]})

    items: list[DeliveryOut]
    next_cursor: str | None


class PageParams(BaseModel):
    """Page size and position."""

    limit: int = Field(default=20, ge=1, le=100, description="Page size, 1-100.")
    cursor: str | None = Field(default=None, max_length=1024, description="`next_cursor` of the previous page.")

"""Beanie documents and their value types: what is stored, and the rules of its fields."""

from models.api_key import ApiKey
from models.change_counter import ChangeCounter
from models.contact import Contact
from models.contact_version import ContactVersion
from models.duplicate_dismissal import DuplicateDismissal
from models.group import Group
from models.idempotency import IdempotencyRecord
from models.rate_limit import RateLimitCounter
from models.service_secret import ServiceSecret
from models.webhook import Webhook, WebhookDelivery

DOCUMENT_MODELS = [
    Contact,
    ContactVersion,
    Group,
    DuplicateDismissal,
    ChangeCounter,
    IdempotencyRecord,
    ApiKey,
    RateLimitCounter,
    ServiceSecret,
    Webhook,
    WebhookDelivery,
]

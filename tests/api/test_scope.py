"""The scope: the one place that limits a query to a tenant."""

from api.scope import Scope


def test_a_filter_is_limited_to_the_tenant() -> None:
    assert Scope("acme").where(_id="x", version=2) == {"_id": "x", "version": 2, "tenant": "acme"}


def test_a_condition_cannot_widen_the_scope() -> None:
    assert Scope("acme").where(tenant={"$ne": None})["tenant"] == "acme"

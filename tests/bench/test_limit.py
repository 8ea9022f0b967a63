"""The SQLite limit harness stores what the API stores, keeps every declared index, and reads it back right."""

from pathlib import Path

from bench.data import Document, api_documents, contact_templates
from bench.limit import SqliteLimit, measure
from models.contact import Contact

FEED_INDEX = {"owner": 1, "seq": 1}


def test_every_declared_index_exists_and_list_fields_get_one_entry_per_element(tmp_path: Path) -> None:
    documents = list(api_documents(0, 30, contact_templates(30)))
    limit = SqliteLimit(tmp_path / "limit.sqlite3")
    limit.load(documents)
    indexes = limit.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix%'")
    number = next(n for n, index in enumerate(Contact.Settings.indexes) if "search_terms" in index.document["key"])
    search_entries = limit.db.execute(f"SELECT count(*) FROM entries{number}").fetchone()[0]

    assert indexes.fetchone()[0] == len(Contact.Settings.indexes)
    assert search_entries == sum(len(document["search_terms"]) for document in documents)
    limit.close()


def test_gets_are_scoped_to_the_tenant_and_pages_come_in_created_order(tmp_path: Path) -> None:
    documents = list(api_documents(0, 30, contact_templates(30)))
    limit = SqliteLimit(tmp_path / "limit.sqlite3")
    limit.load(reversed(documents))
    first = documents[0]

    found = limit.get(first["_id"], "default")
    assert found is not None
    assert (found["name"], found["emails"], found["created_at"]) == (
        first["name"], first["emails"], first["created_at"].isoformat(timespec="microseconds")
    )  # fmt: skip
    assert limit.get(first["_id"], "another") is None
    assert [document["_id"] for document in limit.first_page("default")] == [d["_id"] for d in documents[:21]]
    assert limit.uses_index_for_pages()
    limit.close()


def test_the_change_feeds_index_is_a_plain_index_over_each_contacts_own_number(tmp_path: Path) -> None:
    documents = list(api_documents(0, 30, contact_templates(30)))
    limit = SqliteLimit(tmp_path / "limit.sqlite3")
    limit.load(documents)
    number = next(n for n, index in enumerate(Contact.Settings.indexes) if index.document["key"] == FEED_INDEX)
    declared = limit.db.execute("SELECT tbl_name, sql FROM sqlite_master WHERE name = ?", (f"ix{number}",))
    plan = limit.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM documents WHERE json_extract(document, '$.owner') = ? "
        "AND json_extract(document, '$.seq') > ? ORDER BY json_extract(document, '$.seq') LIMIT 20",
        ("default", 10),
    ).fetchall()

    table, sql = declared.fetchone()
    assert table == "documents"
    assert sql.endswith("(json_extract(document, '$.owner'), json_extract(document, '$.seq'))")
    assert any(f"USING INDEX ix{number}" in str(row) for row in plan)
    assert not any("TEMP B-TREE" in str(row) for row in plan)
    assert [document["seq"] for document in documents] == list(range(1, 31))
    limit.close()


def test_measure_reports_a_rate_for_each_operation(tmp_path: Path) -> None:
    documents = list(api_documents(0, 40, contact_templates(40)))
    created = documents[0]

    def new(n: int) -> Document:
        return created | {"_id": f"new{n}", "seq": len(documents) + 1 + n}

    measured = measure(tmp_path / "limit.sqlite3", documents, new, 0.05)

    assert {"create", "get", "list"} <= set(measured)
    assert all(measured[operation] > 0 for operation in ("create", "get", "list"))

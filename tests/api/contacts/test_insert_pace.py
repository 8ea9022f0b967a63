"""insert_many's batch size follows how long the last batch took (api/contacts/writes.py: `InsertPace`)."""

from api.contacts.writes import INSERT_BATCH, MAX_INSERT_BATCH, MIN_INSERT_BATCH, InsertPace


def test_a_fast_database_gets_larger_batches_at_most_doubling() -> None:
    pace = InsertPace()
    pace.took(INSERT_BATCH, 0.01, 1.0)
    assert pace.size == min(2 * INSERT_BATCH, MAX_INSERT_BATCH)
    for _ in range(5):
        pace.took(pace.size, 0.01, 1.0)
    assert pace.size == MAX_INSERT_BATCH


def test_a_slow_database_gets_batches_that_take_a_quarter_of_the_deadline() -> None:
    pace = InsertPace()
    pace.took(50, 0.5, 1.0)  # 100 per second
    assert pace.size == 25
    pace.took(25, 10.0, 1.0)
    assert pace.size == MIN_INSERT_BATCH


def test_a_short_tail_teaches_nothing() -> None:
    pace = InsertPace()
    pace.took(3, 0.5, 1.0)
    assert pace.size == INSERT_BATCH

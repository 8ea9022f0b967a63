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


def test_contacts_go_in_batches_of_even_size_near_the_pace() -> None:
    pace = InsertPace()
    pace.size = 246
    assert pace.next(250) == 250  # not 246 and a round trip for 4
    assert pace.next(400) == 200
    assert pace.next(3) == 3
    pace.size = MAX_INSERT_BATCH
    assert pace.next(MAX_INSERT_BATCH + 120) == (MAX_INSERT_BATCH + 120) // 2  # never more than the cap
    pace.size = 100
    assert pace.next(250) == 125
    assert pace.next(1000) == 100

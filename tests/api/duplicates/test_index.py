"""The kept index, changed a little at a time, always links exactly what a scan from scratch links."""

import random
from dataclasses import replace

import pytest

from api.duplicates.index import Index
from api.duplicates.matching import MAX_BLOCK, Candidate, links
from tests.api.duplicates.fixture import generate


def scanned(candidates: dict[str, Candidate]) -> dict[tuple[str, str], object]:
    return {(link.a, link.b): link for link in links(list(candidates.values()))}


def started(candidates: list[Candidate]) -> Index:
    index = Index()
    index.apply({candidate.id: candidate for candidate in candidates}, through=len(candidates))
    return index


def changed(candidate: Candidate, rng: random.Random, others: list[Candidate]) -> Candidate:
    """Another name, email or phone: often one of another contact's, so links appear and go."""
    other = rng.choice(others)
    match rng.randrange(4):
        case 0:
            return replace(candidate, name=other.name)
        case 1:
            return replace(candidate, emails=other.emails or ("x@example.com",))
        case 2:
            return replace(candidate, phones=other.phones or ("+14155550000",), company=other.company)
        case _:
            return replace(candidate, name=candidate.name[::-1], emails=())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_changes_applied_one_batch_at_a_time_equal_a_fresh_scan(seed: int) -> None:
    rng = random.Random(seed)
    people = generate(people=150, seed=seed).candidates
    current = {candidate.id: candidate for candidate in people}
    index = started(people)
    assert index.links == scanned(current)
    for round_number in range(40):
        changes: dict[str, Candidate | None] = {}
        for _ in range(rng.randint(1, 6)):
            contact_id = rng.choice(sorted(current))
            kind = rng.random()
            if kind < 0.15:
                changes[contact_id] = None  # deleted
            elif kind < 0.3:
                fresh = f"new{round_number:02d}{len(changes)}"
                changes[fresh] = replace(changed(current[contact_id], rng, people), id=fresh)
            else:
                changes[contact_id] = changed(current[contact_id], rng, people)
        for contact_id, now in changes.items():
            if now is None:
                current.pop(contact_id, None)
            else:
                current[contact_id] = now
        index.apply(changes, through=index.through + len(changes))
        assert index.candidates == current
        assert index.links == scanned(current), round_number


def test_a_block_crossing_its_limit_drops_and_restores_its_pairs() -> None:
    twins = [Candidate(f"t{number:03d}", "Ada Lovelace", (f"ada{number}@example.com",)) for number in range(MAX_BLOCK)]
    index = started([*twins, Candidate("other", "Grace Hopper")])
    assert len(index.links) == MAX_BLOCK * (MAX_BLOCK - 1) // 2  # every namesake pair: the block is small enough

    index.apply({"one-more": Candidate("one-more", "Ada Lovelace")}, through=2)
    assert index.links == {}  # a name that common is no evidence

    index.apply({"one-more": None}, through=3)
    assert len(index.links) == MAX_BLOCK * (MAX_BLOCK - 1) // 2


def test_a_change_that_keeps_what_the_finder_reads_changes_nothing() -> None:
    people = generate(people=40, seed=5).candidates
    index = started(people)
    before = index.links
    index.apply({people[0].id: people[0]}, through=99)
    assert index.links is before
    assert index.through == 99

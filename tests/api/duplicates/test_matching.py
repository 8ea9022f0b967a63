"""The duplicate finder's rules: blocking keys, name similarity, scores, groups, and recall and precision."""

from itertools import combinations

import pytest

from api.duplicates.matching import Candidate, candidate_pairs, find_groups, links, name_keys, name_similarity, score
from tests.api.duplicates.fixture import generate


def test_name_keys_ignore_order_punctuation_and_initials() -> None:
    assert name_keys("Ada Lovelace") == name_keys("Lovelace, Ada") == {"lovelace|a", "ada|l"}
    assert name_keys("A. Lovelace") == {"lovelace|a"}
    assert name_keys("Ada King Lovelace") == {"ada|k", "ada|l", "king|a", "king|l", "lovelace|a", "lovelace|k"}
    assert name_keys("Cher") == {"cher"}
    assert name_keys("42 !") == set()


def test_name_similarity() -> None:
    assert name_similarity("Ada Lovelace", "lovelace ada") == 1.0
    assert name_similarity("A. Lovelace", "Ada Lovelace") >= 0.85
    assert name_similarity("Ada Lovelace", "Ada King Lovelace") >= 0.85
    assert name_similarity("Anna Smith", "Alan Smith") < 0.85
    assert name_similarity("", "Ada") == 0.0


def test_scores_combine_the_evidence() -> None:
    ada = Candidate("1", "Ada Lovelace", ("ada@example.com",), ("+441234",), "Engines")
    same_email = Candidate("2", "Countess of Lovelace", ("ada@example.com",))
    initial_and_company = Candidate("3", "A. Lovelace", (), (), "Engines")
    stranger = Candidate("4", "Alan Turing", (), (), "Engines")

    assert score(ada, same_email) == (0.9, {"email"})
    assert score(ada, initial_and_company)[1] == {"name", "company"}
    assert score(ada, initial_and_company)[0] > 0.7
    assert score(ada, Candidate("5", "A. Lovelace"))[0] < 0.62  # an initial alone fits too many names
    assert score(ada, stranger) == (0.0, set())


def test_blocks_never_pair_everyone() -> None:
    crowd = [Candidate(f"{n:03d}", f"Person{n} Smith", ("office@example.com",)) for n in range(60)]
    pairs = candidate_pairs([*crowd, Candidate("x", "Ada Lovelace"), Candidate("y", "Lovelace Ada")])

    assert pairs == {("x", "y")}  # the shared office address (60 contacts) is no block


def test_dismissed_pairs_do_not_link() -> None:
    found = links([Candidate("a", "Ada Lovelace"), Candidate("b", "Lovelace, Ada"), Candidate("c", "ada lovelace")])

    assert [group.ids for group in find_groups(found, set())] == [["a", "b", "c"]]
    assert [group.ids for group in find_groups(found, {("a", "b"), ("a", "c"), ("b", "c")})] == []
    assert [group.ids for group in find_groups(found, {("a", "b")})] == [["a", "b", "c"]]  # linked through c


@pytest.mark.parametrize("seed", [7, 2, 99])
def test_recall_and_precision_on_a_generated_address_book(seed: int) -> None:
    fixture = generate(people=600, seed=seed)
    groups = find_groups(links(fixture.candidates), set())
    predicted = {pair for group in groups for pair in combinations(group.ids, 2)}

    found = len(fixture.duplicates & predicted)
    recall = found / len(fixture.duplicates)
    precision = found / len(predicted)
    print(f"{len(fixture.candidates)} contacts, {len(fixture.duplicates)} duplicates: "
          f"recall {recall:.3f}, precision {precision:.3f}")  # fmt: skip
    assert recall >= 0.95
    assert precision >= 0.9

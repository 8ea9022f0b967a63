"""Which contacts are likely the same person (no I/O): blocking keys, pair scores, groups.

Contacts are compared only within a block: the same email, the same E.164 phone, or the same name key (a word
of the name and the initial of another: "Ada Lovelace", "Lovelace, Ada" and "A. Lovelace" all give
`lovelace|a`). So the cost grows with the candidate pairs, not with N². A block larger than `MAX_BLOCK` is
skipped: a name that common is weak evidence, and an address or number that many contacts share is an
office's or a switchboard's, not a person's.

A pair's score combines independent evidence, `1 - Π(1 - p)`: a shared email 0.9, a shared phone 0.8, close
names up to 0.7 (rapidfuzz's token-sort ratio, word order ignored; 0.5 at two different companies; an
initial makes a name at most just close, as it fits many), the same company 0.3 when the names are close too.
Pairs scoring at least `THRESHOLD` are linked; a group is a connected set of linked contacts, scored by its
strongest link.
"""

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Set
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz

from models.contact import fold

THRESHOLD = 0.62  # a name alone links when it is close (a typo: 0.9 → 0.63), not when it only looks alike
MAX_BLOCK = 50
CLOSE_NAMES = 0.85  # below this similarity, names are no evidence at all
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the finder knows of a contact."""

    id: str
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None


@dataclass(slots=True)
class Group:
    """Contacts that are likely one person, the group's score, and why."""

    ids: list[str]
    score: float
    reasons: set[str] = field(default_factory=set)


@lru_cache(maxsize=65536)  # a scan compares each name with many others
def words(name: str) -> tuple[str, ...]:
    """The folded words of a name, punctuation and digits dropped."""
    return tuple(_WORD.findall(fold(name)))


def name_keys(name: str) -> set[str]:
    """Blocking keys of a name: each of its words (not an initial) with the initial of each other word.

    A typo in one word leaves the key of the other; only one in an initial, which people rarely get wrong, and
    in both words at once, go unseen. A one-word name is its own key.
    """
    found = words(name)
    if len(found) == 1:
        return set(found)
    return {f"{word}|{other[0]}" for word in found if len(word) > 1 for other in found if other is not word}


@dataclass(frozen=True, slots=True)
class _Shape:
    """A name's words, as the similarity needs them (computed once per distinct name)."""

    words: tuple[str, ...]
    sorted_text: str  # the words sorted and joined: what a token-sort ratio compares
    has_initial: bool
    size: tuple[int, int]  # words, then letters: the shorter name first


@lru_cache(maxsize=65536)
def _shape(name: str) -> _Shape:
    found = words(name)
    return _Shape(
        found, " ".join(sorted(found)), any(len(word) == 1 for word in found), (len(found), len("".join(found)))
    )


def name_similarity(left: str, right: str) -> float:
    """0-1: how close two names are, ignoring word order; an initial counts as its word."""
    a, b = _shape(left), _shape(right)
    if not a.words or not b.words:
        return 0.0
    if a.has_initial or b.has_initial:
        # "A. Lovelace" and "Ada Lovelace" (or another "A. Lovelace"): close if every word of one starts a word of
        # the other, yet an initial fits many names, so never more than just close (not enough alone).
        short, long_ = (a, b) if a.size <= b.size else (b, a)
        if all(any(other.startswith(word) for other in long_.words) for word in short.words):
            return CLOSE_NAMES
        return min(fuzz.ratio(a.sorted_text, b.sorted_text) / 100, CLOSE_NAMES - 0.01)
    if a.sorted_text == b.sorted_text:
        return 1.0
    similarity = fuzz.ratio(a.sorted_text, b.sorted_text) / 100  # rapidfuzz's token-sort ratio, tokens sorted once
    short, long_ = (a, b) if a.size <= b.size else (b, a)
    if set(short.words) <= set(long_.words):
        similarity = max(similarity, 0.9)  # "Ada Lovelace" and "Ada King Lovelace"
    return similarity


def score(left: Candidate, right: Candidate) -> tuple[float, set[str]]:
    """How likely two contacts are one person (0-1), and the evidence."""
    unlikely = 1.0  # the product of (1 - p) over the evidence p
    reasons = set()
    if left.emails and right.emails and not set(left.emails).isdisjoint(right.emails):
        unlikely *= 1 - 0.9
        reasons.add("email")
    if left.phones and right.phones and not set(left.phones).isdisjoint(right.phones):
        unlikely *= 1 - 0.8
        reasons.add("phone")
    similarity = name_similarity(left.name, right.name)
    if similarity >= CLOSE_NAMES:
        reasons.add("name")
        if left.company is not None and right.company is not None and left.company != right.company:
            unlikely *= 1 - 0.5 * similarity  # namesakes at two companies: weaker than a name alone
        else:
            unlikely *= 1 - 0.7 * similarity
        if left.company is not None and left.company == right.company:
            unlikely *= 1 - 0.3
            reasons.add("company")
    return round(1 - unlikely, 3), reasons


def blocking_keys(candidate: Candidate) -> set[str]:
    """The blocks a contact is in: each of its emails, each of its phones, each of its name keys."""
    keys = {f"e:{email}" for email in candidate.emails} | {f"p:{phone}" for phone in candidate.phones}
    return keys | {f"n:{key}" for key in name_keys(candidate.name)}


def blocks_of(candidates: Iterable[Candidate]) -> dict[str, set[str]]:
    """Each block (a blocking key) and the ids of the contacts in it."""
    blocks: dict[str, set[str]] = defaultdict(set)
    for candidate in candidates:
        for key in blocking_keys(candidate):
            blocks[key].add(candidate.id)
    return dict(blocks)


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair of ids, in order (how pairs are named)."""
    return (a, b) if a < b else (b, a)


def pairs_in(blocks: Iterable[Collection[str]]) -> set[tuple[str, str]]:
    """Every pair of contacts that share a block of at most MAX_BLOCK, each once (ids in order)."""
    pairs: set[tuple[str, str]] = set()
    for members in blocks:
        if len(members) <= MAX_BLOCK:
            pairs.update(ordered(a, b) for a, b in combinations(members, 2))
    return pairs


def candidate_pairs(candidates: Iterable[Candidate]) -> set[tuple[str, str]]:
    """Every pair of contacts that share a block, each once (ids in order)."""
    return pairs_in(blocks_of(candidates).values())


@dataclass(frozen=True, slots=True)
class Link:
    """Two contacts (ids in order) likely to be one person: how likely, and why."""

    a: str
    b: str
    score: float
    reasons: frozenset[str]


_REASON_SETS: dict[frozenset[str], frozenset[str]] = {}


def link(left: Candidate, right: Candidate) -> Link | None:
    """The link of two contacts if they score at least THRESHOLD; its reasons are one of a few shared sets (an
    index holds many links)."""
    pair_score, reasons = score(left, right)
    if pair_score < THRESHOLD:
        return None
    found = frozenset(reasons)
    a, b = ordered(left.id, right.id)
    return Link(a, b, pair_score, _REASON_SETS.setdefault(found, found))


def links(candidates: list[Candidate], pairs: Iterable[tuple[str, str]] | None = None) -> list[Link]:
    """Every candidate pair (or each of `pairs`) that scores at least THRESHOLD."""
    by_id = {candidate.id: candidate for candidate in candidates}
    found = (link(by_id[a], by_id[b]) for a, b in (candidate_pairs(candidates) if pairs is None else pairs))
    return [linked for linked in found if linked is not None]


def find_groups(found: list[Link], dismissed: Set[tuple[str, str]]) -> list[Group]:
    """Connected groups of linked contacts, each ordered by id, the groups by their first id.

    A dismissed pair never links; its contacts can still be in one group through others.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while (up := parent.get(node, node)) != node:
            parent[node] = node = parent.get(up, up)  # path halving: long chains would make this quadratic
        return node

    kept = [link for link in found if (link.a, link.b) not in dismissed]
    for link in kept:
        a, b = root(link.a), root(link.b)
        if a != b:
            parent[a] = b
    groups: dict[str, Group] = {}
    for link in kept:
        group = groups.setdefault(root(link.a), Group([], 0.0))
        group.ids += [link.a, link.b]
        group.score = max(group.score, link.score)
        group.reasons |= link.reasons
    for group in groups.values():
        group.ids = sorted(set(group.ids))
    return sorted(groups.values(), key=lambda group: group.ids[0])

"""Performance patches for mongoeco 4.11.0's SQLite engine, applied in the embedded database's child process.

Stock mongoeco does work proportional to the collection size on the API's hot paths:

- **Inserts** (`inserts`). Every insert deserialises every stored document to compare `_id`s (this is
  how it catches BSON-equal ids under different storage keys, e.g. `1` and `1.0`). A `str` or ObjectId
  `_id` is now checked through an index, with the same equality test and the same `DuplicateKeyError`.
  Any other `_id` type keeps the original scan.
- **Insert commands** (`batch_inserts`). The wire `insert` command inserted one document per SQLite
  transaction and worker job. All of a command's documents now go in one transaction (a SAVEPOINT each) and
  one job, through the same per-document code; the command then answers from what each document did.
- **Sorted pages** (`accelerators`, `implied`, `keyset`). The engine orders by a BSON type bucket and a
  value expression that none of its physical indexes contain, so every sorted page sorts the whole
  filtered set. "Accelerator" indexes on exactly those expressions are created for `_id` and for every
  plain declared index. Redundant predicates, proven implied by the filter in the same read snapshot, let
  SQLite seek in those indexes. ORDER BY terms that the proof makes constant are dropped. The physical
  index that stock builds for such a declared index, which no plan uses but every write maintains, is
  dropped (a third of what storing a contact cost). The bucket expression itself is written with one JSON
  call instead of up to eleven, each of which parsed the document again.
- **Listed equalities** (`listed`). An `$or` of equalities on one field (a batch of ids, or of external ids)
  was one SQL term per value, and SQLite parsed the document again for each: every row read evaluated up to
  all of them. They are now one `IN` list, the same condition, in the query, its probes and the sort probe.
- **One per transaction** (`batch_scope`). Inside an insert command's transaction, which holds the write lock,
  the catalog check, the catalog reads and the change outbox's pruning ran once per document: now once.
- **Projected reads** (`projected`). A read with a projection decoded every field of each document, then kept a
  few. For a projection that includes top-level fields only, just those are decoded.
- **Probes** (`probes`). The per-query "does the sort need Python?" probe, and the feature probes that
  run again after every write, read every row. For a field of a declared index they are now seeks, in an
  accelerator that leads with it or in a "bucket index" on its BSON sort bucket. The answers are unchanged.
- **Update targets** (`targets`). update_one/delete_one with an `_id == <str>` equality conjunction
  fetch their one candidate through the `_id` accelerator.
- **Change dispatch** (`dispatch`). After every write, the committed change was dispatched from the SQLite
  outbox to the change-stream hub: four more SQLite transactions and a heartbeat thread per write. While
  the hub publishes nothing (no change stream open, no journal: always, over the wire), dispatch now waits
  for 256 writes or one second, and runs before a change stream opens.
- **Insert change records** (`change_effects`). The change an insert appends to the outbox serialised the
  whole document a second time; its serialisation now reuses the one just stored, spliced in exactly.
- **Array paths** (`array_paths`). The per-insert "at most one array per compound index" check walks the
  document generically for each indexed field; a top-level field is now looked up directly.
- **Decoding** (`decode`). `inspect.signature()` of the codec's `decode` is cached; it was more than
  half of the cost of deserialising a document that holds a datetime.

Results and their order are unchanged. The one exception is ties in sort keys that are not unique, whose
order neither MongoDB nor mongoeco defines. Nothing changes on the wire or in the stored format.
Accelerators are plain SQLite indexes named `mongoeco_perf_acc_*`; stock mongoeco ignores them, and
dropping them never affects correctness. UPSTREAM.md has the root causes, the measurements and the caveats.

Every function that is patched or relied on is pinned by `mongoeco.__version__` and by a SHA-256 of its
source. `apply()` raises `PatchMismatchError` listing every difference, so a mongoeco upgrade stops the
embedded database instead of silently running stale logic. After reviewing the patch against the new
source, regenerate the pins with `source_hashes()`.
"""

import hashlib
import importlib
import inspect
import threading
from typing import Any

__all__ = [
    "ACCELERATOR_PREFIX",
    "EXPECTED_VERSION",
    "ID_INDEX",
    "PatchMismatchError",
    "apply",
    "source_hashes",
    "verify",
]

EXPECTED_VERSION = "4.11.0"
ACCELERATOR_PREFIX = "mongoeco_perf_acc_"
ID_INDEX = ACCELERATOR_PREFIX + "id"
ORIGINAL_ATTRIBUTE = "__mongoeco_patches_original__"

# sha256(inspect.getsource(...)) of every function that is wrapped or replaced, or whose SQL text or
# control flow the correctness argument relies on. Keys are "module under mongoeco:qualified name".
PINNED_SOURCES: dict[str, str] = {
    "engines.sqlite:SQLiteEngine._validate_document_against_unique_indexes": (
        "f50e60835a1d8144657b7e0538a0ba7c77dc28f9dd1e10f0056175d53fe62b54"
    ),
    "engines.sqlite:SQLiteEngine._connect_sync": "2bd887c02adb69e71276fe8f60c05e7c620ad30697b4582789dd8494e95dcd9b",
    "engines.sqlite:SQLiteEngine._create_index_sync": (
        "fb7b157ab38c777612286be164460d7911d156f90a6d77df0573c39667d5353f"
    ),
    # accelerators: where stock builds the physical index that an accelerator makes redundant, and drops it.
    "engines._sqlite_index_admin:create_index": "ab9cdd5a6338fca3668106d0f27a490fa08faf1fb13e66fa48baebb9f8db0d61",
    "engines._sqlite_index_admin:drop_index": "c5603f102a14b910b0ea8bb1a7217aa8d44b1cc7c2f4cb1ba5ad4a197b407d53",
    "engines.sqlite:SQLiteEngine._quote_identifier": "57b2c9e6a1b6de8b92911b4b4bd3673508c5186d764ca8860ffedfdc711dfe6b",
    "engines.sqlite:SQLiteEngine._build_select_sql": "bb8a514f45810936089272289d0ad3de250860fe6b679af817058b15c7fe771b",
    "engines.sqlite:SQLiteEngine._build_scalar_sort_select_sql": (
        "58bc3d75d781da86c541646b61e8adb067973b457fbe8eca8d229dede4a46a76"
    ),
    "engines.sqlite:SQLiteEngine._sort_requires_python": (
        "40df45295b763ee5d93460df5736fec596308f6d0ef8b462f37a1b86a79cdf03"
    ),
    # projected: the projected scan it replaces, and the deserialisation it restricts to the kept fields.
    "engines.sqlite:SQLiteEngine._project_sql_scan_rows": (
        "593dd0bc2c4622bf194cb6dad720bbcff6c361bc075761e6c334657299652e54"
    ),
    "engines.sqlite:SQLiteEngine._deserialize_document": (
        "e9c343ca810172f8cbdfedbb74afe0645329c8194b90fa344139e86322d651c1"
    ),
    # listed: the translation whose OR branch it folds.
    "engines.sqlite:SQLiteEngine._translate_query_plan_with_multikey": (
        "703ebc7ee809fce9109507c426b1da34f5432151cae2bd6f074cd85cc1f78932"
    ),
    "engines.sqlite:SQLiteEngine._decode_codec_payload": (
        "9e7206ac87effd2e87026594a3d8eba24e8777c938e3fe4000c06ac7bbd344d7"
    ),
    "engines.sqlite:SQLiteEngine._field_is_top_level_array_in_collection": (
        "fb4a72a41afc93b6d458254c7c37bf330dd3a6ff0dd82c0f745cbbd7dac5d765"
    ),
    "engines.sqlite:SQLiteEngine._field_contains_tagged_value_type_in_collection": (
        "daf633059f94499c53efe79cec01d1309be1503d568e13bef3d402cc2ae4eb39"
    ),
    "engines.sqlite:SQLiteEngine._field_has_comparison_type_mismatch_in_collection": (
        "cc65f94c105535653b6fd0939fd965d9adc141a4b916b7af306448243f366dc7"
    ),
    "engines.sqlite:SQLiteEngine._select_first_document_for_plan": (
        "cf2d409d2f48e1c31479667cb8fac87817527acec20db8ced1968c94646328ef"
    ),
    "engines.sqlite:SQLiteEngine._storage_key": "3af61312918fe8a47eb33c5c9b5680032b8a08de1494388be587c8d2630b5109",
    "engines.sqlite:SQLiteEngine._unique_key_error": "d3d48f53845e2c3b6314c285fbbd2f59119bb413911e8714f3023f3b1504cdf5",
    "engines._sqlite_read_fast_path_runtime:select_first_document_for_plan": (
        "411edc485dbcc85915798f44a626192a268056d9d1e221ceade856dd792f08b0"
    ),
    "engines._sqlite_modify_ops:update_with_operation": (
        "24d7c163f39d6669de9cfab760f4a65aad9fb243aaa031043ff3bf28ce286cd7"
    ),
    "engines._sqlite_write_ops:insert_document_record": (
        "b70cb80c5babec3797b207c848ac82f04edfff02f2a682841a278ac8086dad77"
    ),
    # batch_inserts: the insert command's loop, what insert_one does before the engine, and nested write scopes.
    "api._async._database_admin_write_commands:DatabaseAdminWriteCommandService.command_insert": (
        "0cf8f18e356f6ec8e2fbe2c799b2e3eb515532131953c9747409c1f4820e1e49"
    ),
    "api.admin_parsing:normalize_insert_documents": "cf20f592198e0cacda2fd5b403f232dfd302182977ce5249b1ac9f19c3ccda38",
    "api._async.collection:AsyncCollection.insert_one": (
        "777141a945e78d0c7fb29013f88569e406cfd91a086f237345ab28d3349ec537"
    ),
    "api._async._collection_runtime:CollectionRuntimeCoordinator.engine_insert_document": (
        "1312f23cc1773d9126e147e694e3569146cc817a17c181103a7150d1ce11d14c"
    ),
    "engines.adapter:EngineSpiAdapter.insert_outcome": (
        "3b1049b4e9740faf36e8af4f45bd425b15a3dabe1ac9e84932ac3183724e8e4c"
    ),
    "engines.sqlite:SQLiteEngine.insert_document": "86cca43116aac0514c4a6156b2f819c83f0d3f7a1f6169f23f62d8ee2b61714e",
    "engines.sqlite:SQLiteEngine._insert_document_sync": (
        "d7588709a53ce130dc7f33d91406c15f45974c3080d2216822051f8a038fadcf"
    ),
    "engines._sqlite_session_runtime:SQLiteSessionRuntime.begin_write": (
        "f8a2b892622fffd0acae1360b5455f1d2969683f881473691883df96ab37e6b6"
    ),
    "engines._sqlite_session_runtime:SQLiteSessionRuntime.commit_write": (
        "1af79b01710bdbf690562a9fc8368b44c470b28f22489da8f0ffd1af69746c55"
    ),
    "engines._sqlite_session_runtime:SQLiteSessionRuntime.rollback_write": (
        "bc65a518c49edba54759dc40178329da076524afadc1022542f61774a114526c"
    ),
    "engines._sqlite_plan_heuristics:sort_requires_python": (
        "43dde6499e2b40fad3c891c3f964c20ccc0d1af736d2aa71a852ff0eb1550fc4"
    ),
    "engines._sqlite_fast_paths:build_select_sql": "a676a4293b0db8d4fd297ee889fca92c9c9886f13bf716c3a4243e4e0b6383b7",
    "engines._sqlite_fast_paths:build_scalar_sort_select_sql": (
        "57f5545be5e2c8ecaa436d2fb8e592f2802bd4e22869d3d172d2eb971e338752"
    ),
    "engines.sqlite_query:sort_type_expression_sql": "053630298c61120300b23a3c42023caa5163805a08dc97a11a09ab6f004ebd10",
    "engines.sqlite_query:value_expression_sql": "682f10d55c3023a9fa93cb5788bdd365d97d60f5ea2e6fc84e2dc845dbf83866",
    "engines.sqlite_query:type_expression_sql": "45236b27346dcd33d0d9db91dc62ee4cc7303541b23b83ccb2a1f3588b4aab93",
    "engines.sqlite_query:translate_sort_spec": "85d8f350b9656f5a9bb2286f75f717bb0d2a96f653cbd7e45bf0bca32ca6e4d1",
    "engines.sqlite_query:_translate_comparison": "6c3efac6d346b303486ee66ac993caa0d4cbf2799bcf17733f8611b51628f956",
    "engines.sqlite_query:_translate_same_type_comparison": (
        "2a723c7a31f1829e98baa68ca9aee9d872b6966dfdfde523a9451b4525a81aaf"
    ),
    "engines.sqlite_query:_translate_scalar_equals": "5ecab368145d46e89fa3dc7b299c6cd263edc6108f5c5f0b97d9ee6fa23af604",
    "engines.sqlite_query:_translate_codec_aware_equals": (
        "5c8b6305db98bff90cd1a13e7f3b3a66f0649c36ea45d535b023dad9084d851c"
    ),
    "engines.sqlite_query:_normalize_comparable_value": (
        "d3fd6d8b238be71025dd51209a97718d3cee6931ea11eb12732dd692337b3d7e"
    ),
    "engines.sqlite_query:_comparison_type_order": "50e9627c29d220419ae1c4757cc4aef900426882e5d2e8d0a495ca7fa4a7a35d",
    "engines.sqlite_query:_is_translatable_equality_value": (
        "26fa39ed137a543df93f14045b712e85c448d6a7745a81432bde06d799725f6d"
    ),
    "core.sql_translation:BaseSQLTranslator.build_select_statement": (
        "d8218d43eabd802feee73be5f5bb9ea0698a5639abde70c1ac7b954ee1caeac1"
    ),
    "api._async._collection_runtime:CollectionRuntimeCoordinator._dispatch_engine_changes": (
        "6684136d2c24ea16b1fdc99d4b4be8b16fc383a48800da7c4c7525ea3eace74f"
    ),
    "_change_streams.hub:ChangeStreamHub.register_watcher": (
        "a3ab1d4dc6ff1de7944e2b93edcd9c0e4bed59d0d907ec6b2edad879fd457f6e"
    ),
    "_change_streams.hub:ChangeStreamHub.should_publish_events": (
        "d2d0104e57b0679bd3dd172351ee3b54789392b8872de66fd8ba4f142759add3"
    ),
    # batch_inserts: `to_internal`'s body, whose encoding serialises the inserted document.
    "core.codec:DocumentCodec.to_internal": "b1eff2fdd2ea8261dea25512501c5e8233679f46f886953a9d6857c5bb690910",
    "core.codec:DocumentCodec.decode": "ecf8c4f60cd847bc87b35cac5a940e6677e151e1d2a6f14deb330c4580bc9006",
    "core.codec:DocumentCodec.mark_internal": "d09e944b405b37527401c64cda3415697951951e823da2f378bce14ef745a9ec",
    "core.codec:DocumentCodec.is_internal": "b296d4758f2a112796bc6c9d485ac37b9cd4ca2d11cb110ec9028fd04f4e215b",
    "core.codec:_own_internal_bson": "ca785721aba302a2fd597085b1ba38a55b1f2823d90e876a162efc23d2ea358f",
    "core.codec:DocumentCodec.encode": "a89dded8864e7fbe640c0303545af5c243f8812de676b316e3d42f81f7e798c1",
    # batch_scope: the catalog check it skips within a command's transaction, and the compaction it splits.
    "engines._sqlite_connection:SQLiteConnection.refresh_catalog_validity": (
        "d780b2dc447192f53136f7d0e50e11ec7f2902151c2af0a61120ee6fca072f9c"
    ),
    "engines._sqlite_outbox:compact_change_outbox": (
        "4b5d2e546927cf1531fd1dca853a9d3db1de5afd53b760109609eacc98e0101c"
    ),
    "engines.sqlite:SQLiteEngine._collection_options_or_empty_sync": (
        "099dd350f56af175bb24ac66861435de89effad6c9490429681a85b36a5fdca4"
    ),
    "engines.sqlite:SQLiteEngine._ensure_collection_row": (
        "0678c9c4fa7576813c1b7beed5f796b372fc19e7a9468eb447b9a7498d393507"
    ),
    "engines.sqlite:SQLiteEngine._load_search_index_rows": (
        "38a1f8df9157a3a9a3a029d0efe8a6d9d8620e3c836b3376767c66c3d1daebfb"
    ),
    "engines._sqlite_outbox:_max_sequence": ("1c946245cd1bb32f4730abeacf87f5fb1ecc37b2ac61bf8d297ba9f2d9939ea7"),
    # change_effects: the insert's change record, how a document is serialised, and that validation is per value.
    "engines._sqlite_outbox:append_change": "c9fac60ab9dcd1626f21e1d814399b1be172120e3892673cf73e2106db39ec5a",
    "engines.sqlite:SQLiteEngine._serialize_document": (
        "0c5d4cadd21e4aebf11d5b05b2fd3443f1f6ec5a3b7d2ee44a9e395a62a1068d"
    ),
    "core.json_compat:json_dumps_compact": "96612941d173ab73631a537ade9ea49f2445310527841f63ad90f2529d3d956e",
    "core.bson_scalars:validate_bson_value": "e3a0a558125ce40c74840cfd28ca48bc5ec4281c7de8e1ae7c5224d4ea168db6",
    # array_paths: the walk it shortens for top-level fields.
    "engines.sqlite:SQLiteEngine._array_paths_for_index_field": (
        "8b9d32c250eef76dea24ff41b20ada402422ce50be155eb73aa21de5316a245a"
    ),
    "core.bson_ordering:bson_equality_key": "bb4ebccd2224b0b10101392cd68b535cbb0a89ecb14d4200d28dc0b544ba5da8",
    "core.bson_ordering:bson_engine_key": "39134b4b37c651d15ed01bd718c72447849f463c86092f13b6ed70d83644e641",
    "core.identity:canonical_document_id": "a79e3cac5df9dfffd5e3167af14a888859a96bcf1f4f1ac8e7d9d698aed9b90d",
    "_types._bson_objectid:is_object_id_like": "d8f88dd9425dde2fee4550ef6a538b218d0509feb491d2b41630d0f63b84df71",
    "_types._bson_objectid:normalize_object_id": ("afbef8dbfb202c31e491ee07e0bdb84beea38c934878bda77e54b7c566bb179c"),
}

# Constants the patched SQL relies on, pinned by value: the BSON sort buckets of `sort_type_expression_sql`.
PINNED_VALUES: dict[str, object] = {
    "core.bson_ordering:SQLITE_SORT_BUCKET_WEIGHTS": {
        "null": 1,
        "number": 2,
        "string": 3,
        "plain-object": 4,
        "array": 5,
        "binary": 6,
        "uuid": 6,
        "objectid": 7,
        "bool": 8,
        "datetime": 9,
        "timestamp": 10,
        "regex": 11,
        "fallback": 100,
    },
}


class PatchMismatchError(RuntimeError):
    """The installed mongoeco is not the exact version and source that these patches were written for."""


_lock = threading.Lock()
_applied = False


def apply() -> None:
    """Check the pins, then install every patch (once per process). Call it before the engine connects."""
    global _applied  # one process-wide switch, guarded by the lock
    with _lock:
        if _applied:
            return
        verify()
        try:
            from embedded.patches import (
                accelerators,
                array_paths,
                batch_inserts,
                batch_scope,
                change_effects,
                decode,
                dispatch,
                inserts,
                keyset,
                listed,
                probes,
                projected,
                targets,
            )
        except ImportError as error:
            raise PatchMismatchError(f"mongoeco no longer provides what the patches import: {error}") from error
        modules = (
            accelerators,
            inserts,
            batch_inserts,
            batch_scope,
            change_effects,
            array_paths,
            keyset,
            listed,
            probes,
            projected,
            targets,
            decode,
        )
        for module in (*modules, dispatch):
            module.install()
        _applied = True


def verify() -> None:
    """Raise PatchMismatchError unless mongoeco's version and every pinned source and value match."""
    import mongoeco

    if mongoeco.__version__ != EXPECTED_VERSION:
        raise PatchMismatchError(
            f"embedded.patches targets mongoeco {EXPECTED_VERSION}, but {mongoeco.__version__} is "
            "installed: review the patches against the new source (UPSTREAM.md), then update the pins"
        )
    problems: list[str] = []
    for target, expected in PINNED_SOURCES.items():
        try:
            actual = _source_hash(target)
        except (AttributeError, ImportError, OSError, TypeError) as error:
            problems.append(f"{target}: cannot be inspected ({error!r})")
            continue
        if actual != expected:
            problems.append(f"{target}: source hash {actual[:12]} differs from the pinned {expected[:12]}")
    for target, expected_value in PINNED_VALUES.items():
        try:
            value = _resolve(target)
        except (AttributeError, ImportError) as error:
            problems.append(f"{target}: cannot be inspected ({error!r})")
            continue
        if value != expected_value:
            problems.append(f"{target}: value {value!r} differs from the pinned {expected_value!r}")
    if problems:
        raise PatchMismatchError(
            f"mongoeco {EXPECTED_VERSION} differs from the source that embedded.patches was written for:\n  "
            + "\n  ".join(problems)
        )


def source_hashes() -> dict[str, str]:
    """The current hash of every pinned function, to regenerate PINNED_SOURCES after a review."""
    return {target: _source_hash(target) for target in PINNED_SOURCES}


def _source_hash(target: str) -> str:
    return hashlib.sha256(inspect.getsource(_resolve(target)).encode()).hexdigest()


def _resolve(target: str) -> Any:
    """The object named by "module:qualname" under mongoeco, as it was before any patch was installed."""
    module_name, _, qualname = target.partition(":")
    found: Any = importlib.import_module(f"mongoeco.{module_name}")
    for part in qualname.split("."):
        found = getattr(found, part)
    return inspect.unwrap(getattr(found, ORIGINAL_ATTRIBUTE, found))

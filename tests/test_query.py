"""feeds.topics.query without SQLite: folding, the parser, round trips, explain."""

from __future__ import annotations

import pytest

from feeds.errors import QuerySyntaxError
from feeds.topics.query import (
    And,
    Document,
    Not,
    Or,
    Phrase,
    Term,
    explain,
    explain_topic,
    fold,
    parse_query,
    tokens,
)

TOPIC = (
    '(sahel OR niger OR mali OR "burkina faso" OR tchad OR chad) '
    "(troop* OR troupe* OR militar* OR coup OR jihad* OR wagner)"
)
EXCLUDE = 'football OR "coupe d afrique"'


def t(text: str, prefix: bool = False, field: str | None = None) -> Term:
    return Term(text, tokens(text), prefix, field)


def p(text: str, prefix: bool = False, field: str | None = None) -> Phrase:
    return Phrase(text, tokens(text), prefix, field)


# --- folding ------------------------------------------------------------------------------


def test_fold_case_and_diacritics() -> None:
    assert fold("État") == "etat"
    assert fold("Ça Déçoit") == "ca decoit"
    assert fold("ÆØß") == "æøß"  # no decomposition to ASCII, like unicode61


def test_tokens_split_on_apostrophes_and_punctuation() -> None:
    assert tokens("d'État") == ("d", "etat")
    assert tokens("d’État") == ("d", "etat")
    assert tokens("desk-fr") == ("desk", "fr")
    assert tokens("fr-CA") == ("fr", "ca")
    assert tokens("  U.S. 2-1 ") == ("u", "s", "2", "1")
    assert tokens("!!") == ()


def test_tokens_decomposed_accents_fold_away() -> None:
    assert tokens("E\u0301tat") == ("etat",)


# --- parser -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("niger", t("niger")),
        ('"burkina faso"', p("burkina faso")),
        ("niger mali", And((t("niger"), t("mali")))),
        ("niger AND mali", And((t("niger"), t("mali")))),
        ("niger OR mali", Or((t("niger"), t("mali")))),
        ("niger or mali", And((t("niger"), t("or"), t("mali")))),
        ("-football", Not(t("football"))),
        ("NOT football", Not(t("football"))),
        ('-"coupe d afrique"', Not(p("coupe d afrique"))),
        ("-(a OR b)", Not(Or((t("a"), t("b"))))),
        ("troupe*", t("troupe", prefix=True)),
        ('"burkina fa"*', p("burkina fa", prefix=True)),
        ("title:niger", t("niger", field="title")),
        ("Title:niger", t("niger", field="title")),
        ("lang:fr", t("fr", field="lang")),
        ("source:desk-fr", t("desk-fr", field="source")),
        ('category:"west africa"', p("west africa", field="category")),
        ("title:troup*", t("troup", prefix=True, field="title")),
        ("title:(niger OR mali)", Or((t("niger", field="title"), t("mali", field="title")))),
        ("-title:niger", Not(t("niger", field="title"))),
        ("title:(niger -mali)", And((t("niger", field="title"), Not(t("mali", field="title"))))),
        ("d'État", t("d'État")),
        ("10:30", t("10:30")),
        ("--x", Not(Not(t("x")))),
        ("a (b c)", And((t("a"), t("b"), t("c")))),
    ],
)
def test_parse_constructs(text: str, root: object) -> None:
    assert parse_query(text).root == root


def test_term_that_folds_to_several_tokens_is_a_phrase() -> None:
    assert parse_query("d'État").root == Term("d'État", ("d", "etat"))


def test_precedence_not_then_and_then_or() -> None:
    root = parse_query("a b OR -c d").root
    assert root == Or((And((t("a"), t("b"))), And((Not(t("c")), t("d")))))
    assert parse_query("NOT a OR b").root == Or((Not(t("a")), t("b")))


def test_topic_example_parses() -> None:
    root = parse_query(TOPIC).root
    assert isinstance(root, And) and len(root.children) == 2
    assert all(isinstance(c, Or) and len(c.children) == 6 for c in root.children)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("(niger", 0, "unclosed ("),
        ("niger (mali", 6, "unclosed ("),
        ("foot(", 4, "unclosed ("),
        ("(a (b", 3, "unclosed ("),
        ("niger)", 5, "unmatched )"),
        ("a (b)) c", 5, "unmatched )"),
        ('niger "burkina faso', 6, "unclosed quote"),
        ("niger OR", 6, "OR must be followed"),
        ("OR niger", 0, "OR must be between"),
        ("a OR OR b", 2, "OR must be followed"),
        ("(a OR) b", 3, "OR must be followed"),
        ("a AND", 2, "AND must be between"),
        ("AND a", 0, "AND must be between"),
        ("titel:niger", 0, "unknown field titel:"),
        ("niger foo:bar", 6, "known: title:, lang:, source:, category:"),
        ("()", 0, "empty group"),
        ("a ( ) b", 2, "empty group"),
        ("tro*op", 3, "* is only allowed at the end"),
        ("troop**", 5, "* is only allowed at the end"),
        ("*", 0, "no letters or digits"),
        ("niger & mali", 6, "no letters or digits"),
        ('""', 0, "empty phrase"),
        ('a "?!"', 2, "empty phrase"),
        ("-", 0, "- must be followed"),
        ("a -", 2, "- must be followed"),
        ("a - b", 2, "- must be directly followed"),
        ("NOT", 0, "NOT must be followed"),
        ("(a NOT)", 3, "NOT must be followed"),
        ("title: niger", 6, "title: must be followed"),
        ("title:", 6, "title: must be followed"),
        ("title:-niger", 6, "put - before the field"),
        ("title:(niger lang:fr)", 13, "lang: inside a title:(...) group"),
        ("(" * 50 + "a" + ")" * 50, 20, "nested too deeply"),
        ("-" * 21 + "a", 20, "nested too deeply"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    assert info.value.position == position
    assert fragment in info.value.message
    assert info.value.query == text


def test_syntax_error_is_a_value_error_with_pointer() -> None:
    with pytest.raises(ValueError) as info:
        parse_query("niger (mali")
    assert isinstance(info.value, QuerySyntaxError)
    assert info.value.pointer() == "niger (mali\n      ^"
    assert str(info.value) == "unclosed ( at position 7"


def test_only_negative_query_is_allowed() -> None:
    assert parse_query("-football -rugby").root == And((Not(t("football")), Not(t("rugby"))))


def test_same_field_nested_is_allowed() -> None:
    assert parse_query("title:(title:a)").root == t("a", field="title")


@pytest.mark.parametrize(
    "text",
    [
        TOPIC,
        EXCLUDE,
        "a b OR c d",
        "(a OR b) (c OR d)",
        "-(a b) -c",
        "--x",
        "-(-x)",
        'title:(niger OR "burkina faso") -lang:en',
        "source:desk-fr category:\"west africa\" troop* title:'x'",
        '"a"*b',
        "title:OR",
        "NOT (a OR b) c",
        "lang:(fr OR en) -source:desk",
    ],
)
def test_round_trip(text: str) -> None:
    query = parse_query(text)
    again = parse_query(str(query))
    assert again.root == query.root
    assert str(again) == str(query)


def test_long_alternatives_are_shortened_in_reasons() -> None:
    query = parse_query(
        "(alpha OR bravo OR charlie OR delta OR echo OR foxtrot OR golf OR hotel) x"
    )
    reason = explain(query, Document("x", "")).reason
    assert reason == "needs one of (alpha OR bravo OR charlie OR delta OR echo OR foxtrot ...)"


def test_str_is_readable() -> None:
    assert str(parse_query("title:(niger OR mali)  -foot*")) == (
        "(title:niger OR title:mali) -foot*"
    )


# --- explain ------------------------------------------------------------------------------

COUP = Document(
    title="Coup d’État au Niger",
    body="Des militaires ont pris le pouvoir à Niamey.",
    lang="fr",
    source="desk-fr",
    categories=("afrique", "west africa"),
)
FESTIVAL = Document("The Niger river delta festival", "Music and boats.", "en", "wire-en")
FOOTBALL = Document(
    "Coupe d'Afrique : le Mali bat le Niger",
    "Football : un coup franc offre la victoire au Mali.",
    "fr",
    "sport-fr",
)


def test_explain_names_matched_terms_as_written() -> None:
    result = explain(parse_query(TOPIC), COUP)
    assert result.matched
    assert result.terms == ("niger", "coup")
    assert result.render() == "matched: niger, coup"


def test_prefix_matches_token_starts_only() -> None:
    doc = Document("t", "Des militaires, military jets")
    assert explain(parse_query("militar*"), doc).terms == ("militar*",)
    assert not explain(parse_query("militar*"), Document("t", "Des militaires")).matched
    assert not explain(parse_query("itaire*"), doc).matched


def test_explain_not_matched_says_what_is_missing() -> None:
    result = explain(parse_query(TOPIC), FESTIVAL)
    assert not result.matched
    assert result.terms == ("niger",)
    assert result.reason.startswith("needs one of (troop* OR troupe*")
    assert result.render().startswith("not matched: needs one of (troop*")
    assert result.render().endswith("OR wagner) (found: niger)")


def test_explain_fields_phrases_and_negation() -> None:
    assert explain(parse_query("title:niger"), COUP).terms == ("title:niger",)
    assert not explain(parse_query("title:militaires"), COUP).matched
    assert explain(parse_query("etat"), COUP).matched
    assert explain(parse_query("d'État"), COUP).matched
    assert not explain(parse_query('"niger coup"'), COUP).matched
    assert explain(parse_query('category:"west africa"'), COUP).matched
    assert explain(parse_query("lang:fr source:desk-fr"), COUP).matched
    assert not explain(parse_query("source:desk-fr"), Document("t", "b", source="desk")).matched
    negative = explain(parse_query("-niger"), COUP)
    assert not negative.matched and negative.terms == ()
    assert negative.render() == "not matched: has niger"


def test_explain_topic_exclude_vetoes() -> None:
    result = explain_topic(TOPIC, EXCLUDE, ("fr", "en"), FOOTBALL)
    assert result.query.matched and result.excluded and result.language_ok
    assert not result.matched
    assert result.exclude is not None and result.exclude.terms == ("football", '"coupe d afrique"')
    assert 'excluded by: football, "coupe d afrique"' in result.render()
    assert result.render() == 'matched: niger, mali, coup\nexcluded by: football, "coupe d afrique"'


def test_explain_topic_language_filter() -> None:
    result = explain_topic(TOPIC, EXCLUDE, ("en",), COUP)
    assert result.query.matched and not result.excluded and not result.language_ok
    assert not result.matched
    assert "language 'fr' is not one of en" in result.render()
    ok = explain_topic(TOPIC, None, (), COUP)
    assert ok.matched and ok.exclude is None
    assert ok.render() == "matched: niger, coup"


def test_explain_topic_rejects_empty_language() -> None:
    with pytest.raises(QuerySyntaxError):
        explain_topic("niger", None, ("--",), COUP)

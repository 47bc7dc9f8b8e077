"""The PostgreSQL store's schema, step by step: ``meta.schema`` N says which steps ran, and
``STEPS[N - 1]`` takes a store from schema N - 1 to N (all of one step in one transaction,
made by the caller, under an advisory lock so that two nodes starting together never both
migrate). Only SQL; decides nothing.

The first step holds what SQLite's nine hold, in PostgreSQL's terms: ``pos`` is SQLite's
rowid (arrival order); the searchable text is kept folded by ``feeds.topics.parser.tokens``
(``f_*`` columns, one space around every token) and as a ``tsvector`` of its distinct
tokens (``words``, weight A title, B body, C category) that a GIN index answers first: see
``feeds.store.postgres.query``. Text that is sorted or compared is ``COLLATE "C"`` (bytes,
as SQLite compares).
"""

from __future__ import annotations

_SCHEMA_1 = """
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE entries (
    pos bigint PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE,
    source text COLLATE "C" NOT NULL,
    title text NOT NULL,
    link text NOT NULL,
    summary text NOT NULL,
    content text NOT NULL,
    authors text NOT NULL,
    published text COLLATE "C" NOT NULL,
    updated text COLLATE "C" NOT NULL,
    language text NOT NULL,
    categories text NOT NULL,
    page text COLLATE "C",
    hash text NOT NULL,
    first_seen text COLLATE "C" NOT NULL,
    retracted text COLLATE "C",
    body text NOT NULL,
    words tsvector NOT NULL,
    f_title text COLLATE "C" NOT NULL,
    f_body text COLLATE "C" NOT NULL,
    f_category text COLLATE "C" NOT NULL,
    f_lang text COLLATE "C" NOT NULL,
    f_source text COLLATE "C" NOT NULL
);
CREATE INDEX entries_words ON entries USING gin (words);
CREATE INDEX entries_by_source ON entries (source);
CREATE INDEX entries_with_page ON entries (page) WHERE page IS NOT NULL;
CREATE INDEX entries_retracted ON entries (retracted) WHERE retracted IS NOT NULL;
CREATE TABLE sources (
    name text COLLATE "C" PRIMARY KEY,
    configured_url text,
    url text,
    etag text,
    last_modified text,
    body_hash text,
    last_attempt text,
    last_success text,
    status text NOT NULL DEFAULT 'new',
    message text,
    failures integer NOT NULL DEFAULT 0,
    next_due text,
    retry_after text
);
CREATE TABLE topics (
    slug text COLLATE "C" PRIMARY KEY,
    digest text,
    published_at text,
    entries integer NOT NULL DEFAULT 0,
    state text,
    shown integer NOT NULL DEFAULT 0,
    mark_rowid bigint,
    mark_edits bigint,
    basis text,
    pages integer NOT NULL DEFAULT 0
);
CREATE TABLE pages (path text COLLATE "C" PRIMARY KEY, hash text NOT NULL);
CREATE TABLE archive_pages (
    slug text COLLATE "C" NOT NULL,
    series text COLLATE "C" NOT NULL,
    page integer NOT NULL,
    last_rowid bigint NOT NULL,
    PRIMARY KEY (slug, series, page)
);
CREATE TABLE websub_pending (
    hub text COLLATE "C" NOT NULL,
    topic_url text COLLATE "C" NOT NULL,
    failures integer NOT NULL DEFAULT 0,
    message text,
    PRIMARY KEY (hub, topic_url)
);
CREATE TABLE article_files (
    source text COLLATE "C" NOT NULL,
    path text COLLATE "C" NOT NULL,
    id text NOT NULL,
    key text NOT NULL,
    PRIMARY KEY (source, path)
);
INSERT INTO meta (key, value) VALUES ('edits', '0');
CREATE FUNCTION feeds_count_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'edits';
    RETURN NULL;
END $$;
CREATE TRIGGER entries_edited AFTER UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION feeds_count_edit();
"""

# Several nodes (issue 17): each node's heartbeat, and the leases of the sources it fetches.
# A lease is the node's until ``until``; ``token`` grows with every claim, so a result is
# written only by the claim that still holds it (fenced). The leases out per host are the
# per-host limit shared by every node. What a node's public/ holds is its own: topic records
# and pages written are kept per site (each node's name), while entries, sources, frozen
# archive pages and pending pings are everyone's.
_SCHEMA_2 = """
CREATE TABLE nodes (
    name text COLLATE "C" PRIMARY KEY,
    started text NOT NULL,
    heartbeat text NOT NULL,
    leader boolean NOT NULL DEFAULT false
);
CREATE TABLE leases (
    source text COLLATE "C" PRIMARY KEY,
    host text COLLATE "C",
    node text COLLATE "C",
    until timestamptz,
    token bigint NOT NULL DEFAULT 0,
    done_at timestamptz
);
CREATE INDEX leases_by_host ON leases (host) WHERE node IS NOT NULL;
ALTER TABLE topics ADD COLUMN site text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE topics DROP CONSTRAINT topics_pkey;
ALTER TABLE topics ADD PRIMARY KEY (site, slug);
ALTER TABLE pages ADD COLUMN site text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE pages DROP CONSTRAINT pages_pkey;
ALTER TABLE pages ADD PRIMARY KEY (site, path);
"""

# Alerts (#18) and full text (#19), as SQLite's schemas 10 and 11 keep them (see
# feeds.store.postgres.notify and feeds.store.postgres.fulltext): each topic's targets (by
# a hash of the URL), the entries each has seen, the outbox of deliveries (its entries as
# JSON text); and the last try of each entry's article page. Times are ``ts`` text, flags
# 0/1 integers, as in SQLite, so that ``feeds store copy`` moves the rows as they are.
_SCHEMA_3 = """
CREATE TABLE notify_targets (
    topic text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    baseline bigint NOT NULL,
    since text COLLATE "C" NOT NULL,
    failures integer NOT NULL DEFAULT 0,
    next_try text COLLATE "C",
    last_error text,
    last_attempt text COLLATE "C",
    last_success text COLLATE "C",
    PRIMARY KEY (topic, target)
);
CREATE TABLE notify_seen (
    topic text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    entry text COLLATE "C" NOT NULL,
    PRIMARY KEY (topic, target, entry)
);
CREATE TABLE notify_outbox (
    id text COLLATE "C" PRIMARY KEY,
    topic text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    created text COLLATE "C" NOT NULL,
    due text COLLATE "C" NOT NULL,
    entries text NOT NULL,
    watching integer NOT NULL DEFAULT 0,
    frozen integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    sent text COLLATE "C"
);
CREATE INDEX notify_unsent ON notify_outbox (topic, target, created) WHERE sent IS NULL;
CREATE TABLE article_texts (
    source text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    feed_hash text NOT NULL,
    content text NOT NULL,
    failure text,
    permanent integer NOT NULL DEFAULT 0,
    tries integer NOT NULL DEFAULT 0,
    tried text COLLATE "C" NOT NULL,
    etag text,
    last_modified text,
    PRIMARY KEY (source, id)
);
"""

#: ``STEPS[N - 1]`` takes a store to schema N.
STEPS: tuple[str, ...] = (_SCHEMA_1, _SCHEMA_2, _SCHEMA_3)
SCHEMA_VERSION = len(STEPS)
#: The advisory lock migrations run under (any number of the store's own).
MIGRATION_LOCK = 0x6665_6564_7301  # "feeds", 1
#: The advisory lock the leader holds (on a connection of its own, for as long as it lives).
LEADER_LOCK = 0x6665_6564_7303

"""The cluster store: PostgreSQL through psycopg 3 and its connection pool (see
``feeds.store.postgres.store``)."""

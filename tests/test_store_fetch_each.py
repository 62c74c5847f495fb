"""`fetch_each` (many small reads at once: one round trip on PostGIS, under the merge lock)
gives, on both backends, what the same statements give one by one, in order, and sees the
transaction's own uncommitted writes."""

from __future__ import annotations

from pathlib import Path

from geo.store import IncidentStore


def test_fetch_each_matches_one_statement_at_a_time(store_location: str | Path) -> None:
    with IncidentStore(store_location) as store:
        backend = store.backend
        with backend.transaction():
            for i in range(3):
                backend.execute("INSERT INTO articles (article_id, content_hash, text) "
                                "VALUES (?, ?, ?)", (f"fe{i}", f"fe-hash-{i}", f"text {i}"))
            statements = [
                ("SELECT article_id FROM articles WHERE article_id LIKE ? ORDER BY article_id "
                 "DESC LIMIT ?", ["fe%", 2]),
                ("SELECT article_id, content_hash FROM articles WHERE article_id = ?", ["fe1"]),
                ("SELECT article_id FROM articles WHERE article_id = ?", ["absent"]),
                ("SELECT count(*) FROM articles WHERE article_id LIKE ?", ["fe%"]),
            ]
            together = backend.fetch_each(statements)
            one_by_one = [backend.execute(sql, params).fetchall() for sql, params in statements]
            assert [[tuple(row) for row in rows] for rows in together] == \
                [[tuple(row) for row in rows] for rows in one_by_one]
            assert [tuple(row) for row in together[0]] == [("fe2",), ("fe1",)]
            assert together[2] == [] and together[3][0][0] == 3
        assert backend.fetch_each([]) == []

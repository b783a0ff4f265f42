"""``ImportedArticles``: the imported MCD articles as the necessity rules ask for them
(``domain.articles.ArticleLookup``), over ``imports.sqlite``'s ``mcd_*`` tables.

A code's coverage under a MAC is read once and kept until the store changes (``PRAGMA
data_version``): the visit asks for it at every keystroke. The ICD-10 groups that support a
code are those numbered like the code's own group in the article, or every covered group
when the article has no group of that number.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

from ptcodes_gui.domain.articles import ArticleRef, CodeCoverage, undotted
from ptcodes_gui.releases.store import ImportStore


class ImportedArticles:
    """Satisfies ``domain.articles.ArticleLookup``; empty when no MCD download is imported."""

    def __init__(self, store: ImportStore) -> None:
        self._conn = store.connect_reader()
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._cache: dict[tuple[str, str], list[CodeCoverage]] = {}

    def close(self) -> None:
        self._conn.close()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                stamp = (self._conn.execute("PRAGMA data_version").fetchone()[0],
                         self._conn.total_changes)
                if stamp != self._stamp:
                    self._stamp, self._cache = stamp, {}
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error:
                return []  # no MCD import (the tables are missing in an older file)

    def macs(self) -> list[tuple[str, str]]:
        """(number, "name (states)") of every MAC the imported articles apply to."""
        rows = self._query("SELECT mac, name, states FROM mcd_mac ORDER BY name, mac")
        return [(str(m), _name(str(n), str(s))) for m, n, s in rows]

    def contractor_name(self, mac: str) -> str | None:
        rows = self._query("SELECT name, states FROM mcd_mac WHERE mac = ?", (mac,))
        return _name(str(rows[0][0]), str(rows[0][1])) if rows else None

    def code_coverage(self, code: str, mac: str) -> list[CodeCoverage]:
        rows = self._query(
            "SELECT a.article_id, a.version, a.title, a.date, c.code_group FROM mcd_code c "
            "JOIN mcd_article a ON a.article_id = c.article_id JOIN mcd_article_mac m ON "
            "m.article_id = c.article_id WHERE c.code = ? AND m.mac = ? "
            "ORDER BY a.article_id, c.code_group", (code.upper(), mac))
        key = (code.upper(), mac)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        found = [self._coverage(ArticleRef(str(a), int(str(v)), str(t), str(d)), int(str(g)))
                 for a, v, t, d, g in rows]
        with self._lock:
            self._cache[key] = found
        return found

    def _coverage(self, article: ArticleRef, code_group: int) -> CodeCoverage:
        groups = sorted({int(str(g)) for (g,) in self._query(
            "SELECT DISTINCT grp FROM mcd_dx WHERE article_id = ? AND covered = 1",
            (article.id,))})
        chosen = [code_group] if code_group in groups else groups
        marks = ", ".join("?" * len(chosen))
        covered = frozenset(str(d) for (d,) in self._query(
            f"SELECT dx FROM mcd_dx WHERE article_id = ? AND covered = 1 AND grp IN ({marks})",
            (article.id, *chosen)))
        noncovered = frozenset(str(d) for (d,) in self._query(
            "SELECT dx FROM mcd_dx WHERE article_id = ? AND covered = 0", (article.id,)))
        paragraphs = self._query(
            f"SELECT covered, grp, paragraph FROM mcd_group WHERE article_id = ? AND "
            f"(covered = 0 OR grp IN ({marks})) ORDER BY covered DESC, grp",
            (article.id, *chosen))
        said = " ".join(str(p) for c, _, p in paragraphs if c and p)
        unsaid = " ".join(str(p) for c, _, p in paragraphs if not c and p)
        return CodeCoverage(article, code_group, tuple(chosen), said, covered, noncovered,
                            unsaid)

    def codes_supported(self, diagnosis: str, mac: str) -> list[tuple[str, ArticleRef]]:
        dx = undotted(diagnosis)
        rows = self._query(
            "SELECT DISTINCT c.code FROM mcd_dx d JOIN mcd_article_mac m ON m.article_id = "
            "d.article_id JOIN mcd_code c ON c.article_id = d.article_id WHERE d.dx = ? AND "
            "d.covered = 1 AND m.mac = ? ORDER BY c.code", (dx, mac))
        out: list[tuple[str, ArticleRef]] = []
        for (code,) in rows:
            for cov in self.code_coverage(str(code), mac):
                if dx in cov.covered:
                    out.append((str(code), cov.article))
                    break
        return out


def _name(name: str, states: str) -> str:
    return f"{name} ({states.replace(',', ', ')})" if states else name

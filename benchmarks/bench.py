"""The standing performance benchmark: ``python -m benchmarks.bench`` (repository root).

It measures, on the machine it runs on, what a clinician waits for:

* the search layer (``Catalog.search`` over PT codes + ICD-10-CM) for every keystroke of
  the queries in ``bench_queries.txt`` typed one key at a time ("t", "th", ... "therex");
* keystroke to repainted results in the real window (offscreen), the same keystrokes;
* start: process start to the ``startup_seconds=`` line of ``--print-startup-time``, from
  source and from the frozen bundle (``dist/ptcodes-gui``) when it exists;
* peak RSS after start and after 1,000 searches; bundle and catalog sizes;
* the baselines a Qt developer would write first: a case-insensitive
  ``QSortFilterProxyModel`` over a ``QStandardItemModel`` of every code, and a
  ``LIKE '%text%'`` scan of the catalog tables, on an evenly spread subset of the keystrokes.

Each measurement runs in its own child process (``--stage``) so that one cannot warm or
bloat another. Qt is imported only inside the functions that need it: ``--no-gui`` runs
headless. It prints a table with a PASS/MISS column against the budgets and writes the
figures as JSON (``bench-results/bench.json``; ``--out``). ``--quick`` is a smoke mode for
the tests: few keystrokes and runs, figures not comparable with a full run.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import queue
import re
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

SCHEMA = 1
ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
BUNDLE_DIR = ROOT / "dist" / "ptcodes-gui"
BUNDLE_EXE = BUNDLE_DIR / ("ptcodes-gui.exe" if sys.platform == "win32" else "ptcodes-gui")
QUERIES_FILE = "bench_queries.txt"
RESULT_LIMIT = 200  # what the window asks for (ui/main_window.py RESULT_LIMIT)

# Budgets on the reference machine (docs/PERFORMANCE.md).
BUDGET_SEARCH_P99_MS = 5.0
BUDGET_REPAINT_P99_MS = 8.0  # one 120 Hz frame (issue 24)
BUDGET_START_S = 1.0
BUDGET_RSS_MB = 150.0
BUDGET_PROXY_SPEEDUP = 50.0

FULL = {"query_stride": 1, "baseline_keys": 60, "like_keys": 200, "memory_searches": 1000,
        "start_runs": 5}
QUICK = {"query_stride": 25, "baseline_keys": 6, "like_keys": 6, "memory_searches": 50,
         "start_runs": 1}
STAGE_TIMEOUT_S = 1800


# ----------------------------------------------------------------------------- queries


_ESCAPE = re.compile(r"\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|t|\\)")


def _unescape(line: str) -> str:
    def sub(m: re.Match[str]) -> str:
        tok = m.group(1)
        if tok == "t":
            return "\t"
        if tok == "\\":
            return "\\"
        return chr(int(tok[1:], 16))

    return _ESCAPE.sub(sub, line)


def load_queries(text: str | None = None) -> list[str]:
    """The benchmark queries: one a line, '#' comments, escapes as in the file header."""
    if text is None:
        text = (HERE / QUERIES_FILE).read_text(encoding="utf-8")
    out = []
    for raw in text.splitlines():
        if not raw or raw.startswith("#"):
            continue
        out.append(_unescape(raw))
    return out


def keystrokes(queries: Sequence[str]) -> list[str]:
    """What the search field holds after each key: every prefix of every query."""
    return [q[:i] for q in queries for i in range(1, len(q) + 1)]


def spread(items: Sequence[str], n: int) -> list[str]:
    """``n`` items evenly spread over ``items`` (all of them when there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually measured."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples_s: Sequence[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


def _mode(quick: bool) -> dict[str, int]:
    return QUICK if quick else FULL


def _bench_keys(quick: bool) -> tuple[list[str], list[str]]:
    queries = load_queries()[:: _mode(quick)["query_stride"]]
    return queries, keystrokes(queries)


# ----------------------------------------------------------------------------- process


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not on Windows

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _pid_peak_rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram_gb: float | None = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            ram_gb = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": version("PySide6-Essentials") or version("PySide6"),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_at_start": _loadavg(),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _child_env(platform_name: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = platform_name
    env.setdefault("PYTHONHASHSEED", "0")
    return env


# ----------------------------------------------------------------------------- stages
# Each stage runs in a child process and returns a JSON-able dict.


def stage_search(quick: bool) -> dict[str, Any]:
    """Catalog.search per keystroke, then the LIKE '%text%' baseline on a subset."""
    from ptcodes_gui.catalog import open_catalog

    _queries, keys = _bench_keys(quick)
    t0 = time.perf_counter()
    catalog = open_catalog()
    open_s = time.perf_counter() - t0
    # the first search of a session may load what the catalog loads lazily
    t0 = time.perf_counter()
    catalog.search("knee pain", limit=RESULT_LIMIT)
    cold_s = time.perf_counter() - t0
    for key in keys[:50]:  # warm-up, untimed
        catalog.search(key, limit=RESULT_LIMIT)
    wall: list[float] = []
    cpu: list[float] = []
    gc_before = sum(s["collections"] for s in gc.get_stats())
    for key in keys:
        c0 = time.thread_time()
        t0 = time.perf_counter()
        catalog.search(key, limit=RESULT_LIMIT)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    gc_runs = sum(s["collections"] for s in gc.get_stats()) - gc_before
    slowest = sorted(zip(wall, keys, strict=True), reverse=True)[:10]
    catalog.close()

    like_keys = spread(keys, _mode(quick)["like_keys"])
    like = _like_baseline(like_keys)
    return {
        "open_ms": round(open_s * 1000, 2),
        "cold_first_search_ms": round(cold_s * 1000, 2),
        "samples_s": wall,
        "cpu_samples_s": cpu,
        "keys": keys,
        "gc_collections": gc_runs,
        "slowest": [{"ms": round(t * 1000, 2), "text": k} for t, k in slowest],
        "like": {"samples_s": like, "keys": like_keys},
    }


def _like_baseline(keys: Sequence[str]) -> list[float]:
    from ptcodes_gui.catalog.schema import packaged_catalog_path

    uri = packaged_catalog_path().resolve().as_uri() + "?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True)
    sql = (
        "SELECT code, title FROM {t} WHERE code LIKE ?1 ESCAPE '\\' "
        "OR title LIKE ?1 ESCAPE '\\' LIMIT ?2"
    )
    out: list[float] = []
    for key in keys:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", key) + "%"
        t0 = time.perf_counter()
        rows = db.execute(sql.format(t="codes"), (pattern, RESULT_LIMIT)).fetchall()
        rows += db.execute(sql.format(t="icd"), (pattern, RESULT_LIMIT)).fetchall()
        out.append(time.perf_counter() - t0)
    db.close()
    return out


def _qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["ptcodes-bench"])


def stage_gui(quick: bool) -> dict[str, Any]:
    """Keystroke (a key event on the search field) to the results view repainted."""
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ptcodes_gui.app import settle_heap
    from ptcodes_gui.catalog import open_catalog
    from ptcodes_gui.ui.main_window import MainWindow
    from ptcodes_gui.userdata.store import UserStore

    queries, _keys = _bench_keys(quick)
    app = _qt_app()
    catalog = open_catalog()
    with tempfile.TemporaryDirectory(prefix="ptcodes-bench-") as tmp:
        store, _messages = UserStore.open(Path(tmp))
        window = MainWindow(catalog, store)
        window.show()
        QTest.qWaitForWindowExposed(window)
        settle_heap()  # what the app does a second after start
        edit = window.search_edit
        viewport = window.results_view.viewport()
        state = {"reset": False, "painted": False}

        class PaintSpy(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint and state["reset"]:
                    state["painted"] = True
                return False

        def on_reset() -> None:
            state["reset"] = True

        spy = PaintSpy()
        viewport.installEventFilter(spy)
        window.results_model.modelReset.connect(on_reset)
        how = {"key_click": 0, "key_event": 0, "insert": 0}

        def press(ch: str) -> None:
            if ch.isascii() and ch.isprintable():
                # QTest maps an ASCII character to its key and modifiers (the stubs only
                # list the Qt.Key overloads)
                QTest.keyClick(edit, ch)  # type: ignore[call-overload]
                how["key_click"] += 1
            elif ch.isprintable():  # what an input method delivers: a key event with text
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(
                        edit, QKeyEvent(kind, Qt.Key.Key_unknown,
                                        Qt.KeyboardModifier.NoModifier, ch))
                how["key_event"] += 1
            else:  # a tab or zero-width space cannot be typed into a line edit: pasted
                edit.insert(ch)
                how["insert"] += 1

        def settle(deadline_s: float = 5.0) -> bool:
            end = time.perf_counter() + deadline_s
            while not state["painted"]:
                app.processEvents()
                if not state["reset"] and not window.results_changed:
                    return True  # the same results: only the search field repaints
                if time.perf_counter() > end:
                    return False
            return True

        def clear() -> None:
            state["reset"] = state["painted"] = False
            edit.clear()
            settle()

        # warm-up, untimed
        for ch in queries[0]:
            state["reset"] = state["painted"] = False
            press(ch)
            settle()
        how.update(dict.fromkeys(how, 0))
        samples: list[float] = []
        cpu: list[float] = []
        texts: list[str] = []
        timeouts = 0
        unchanged = 0  # keystrokes whose results were those shown already
        for query in queries:
            clear()
            for ch in query:
                state["reset"] = state["painted"] = False
                c0 = time.process_time()
                t0 = time.perf_counter()
                press(ch)
                ok = settle()
                samples.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                texts.append(edit.text())
                timeouts += not ok
                unchanged += not window.results_changed
        window.results_model.modelReset.disconnect(on_reset)
        viewport.removeEventFilter(spy)
        window.close()
        store.close()
    catalog.close()
    slowest = sorted(zip(samples, texts, strict=True), reverse=True)[:10]
    return {"samples_s": samples, "cpu_samples_s": cpu, "timeouts": timeouts, "input": how,
            "unchanged_results": unchanged,
            "window": "MainWindow(catalog, store, visit_panel=None)",
            "slowest": [{"ms": round(t * 1000, 2), "text": k} for t, k in slowest]}


def stage_proxy(quick: bool) -> dict[str, Any]:
    """QSortFilterProxyModel over a QStandardItemModel of every code, per keystroke."""
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from ptcodes_gui.catalog.schema import packaged_catalog_path

    _queries, keys = _bench_keys(quick)
    subset = spread(keys, _mode(quick)["baseline_keys"])
    _qt_app()
    uri = packaged_catalog_path().resolve().as_uri() + "?mode=ro&immutable=1"
    db = sqlite3.connect(uri, uri=True)
    rows = db.execute(
        "SELECT code, title FROM codes UNION ALL SELECT code, title FROM icd"
    ).fetchall()
    db.close()
    t0 = time.perf_counter()
    model = QStandardItemModel(len(rows), 2)
    for i, (code, title) in enumerate(rows):
        model.setItem(i, 0, QStandardItem(code))
        model.setItem(i, 1, QStandardItem(title))
    proxy = QSortFilterProxyModel()
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    proxy.setSourceModel(model)
    build_s = time.perf_counter() - t0
    samples: list[float] = []
    for key in subset:
        t0 = time.perf_counter()
        proxy.setFilterFixedString(key)
        proxy.rowCount()
        samples.append(time.perf_counter() - t0)
    return {"samples_s": samples, "keys": subset, "rows": len(rows),
            "build_s": round(build_s, 3)}


def stage_memory(quick: bool, gui: bool) -> dict[str, Any]:
    """Peak RSS after start (window shown, first search answered) and after N searches."""
    from ptcodes_gui.catalog import open_catalog

    _queries, keys = _bench_keys(quick)
    n = _mode(quick)["memory_searches"]
    work = [keys[i % len(keys)] for i in range(n)]
    catalog = open_catalog()
    composition = "catalog only (headless)"
    with tempfile.TemporaryDirectory(prefix="ptcodes-bench-") as tmp:
        if not gui:
            catalog.search("", limit=RESULT_LIMIT)
            after_start = peak_rss_mb()
            for key in work:
                catalog.search(key, limit=RESULT_LIMIT)
            after = peak_rss_mb()
        else:
            from PySide6.QtTest import QTest

            from ptcodes_gui.userdata.store import UserStore

            app = _qt_app()
            store, _messages = UserStore.open(Path(tmp))
            window: Any
            try:  # the composition app.py uses
                from ptcodes_gui.ui.window_setup import apply_overlays, build_main_window

                apply_overlays(catalog, store)
                window = build_main_window(catalog, store)
                composition = "window_setup.build_main_window (as app.py)"
            except ImportError as exc:
                from ptcodes_gui.ui.main_window import MainWindow

                window = MainWindow(catalog, store)
                composition = f"MainWindow(visit_panel=None); build_main_window: {exc}"
            window.show()
            QTest.qWaitForWindowExposed(window)
            app.processEvents()
            after_start = peak_rss_mb()
            resets = [0]

            def on_reset() -> None:
                resets[0] += 1

            window.results_model.modelReset.connect(on_reset)
            for key in work:
                before = resets[0]
                window.search_edit.setText(key)
                end = time.perf_counter() + 5
                # the search runs from a 0 ms timer; with the same results as shown
                # already no model reset comes (main_window.results_changed)
                app.processEvents()
                while (resets[0] == before and time.perf_counter() < end
                       and (window.results_changed or window._search_timer.isActive())):
                    app.processEvents()
            app.processEvents()
            after = peak_rss_mb()
            window.close()
            store.close()
    catalog.close()
    return {"after_start_mb": round(after_start, 1), "after_searches_mb": round(after, 1),
            "searches": n, "composition": composition}


def stage_search_icd_release(quick: bool) -> dict[str, Any]:
    """The search stage's keystrokes over an imported ICD-10-CM release (icd_release.py)."""
    from benchmarks.icd_release import stage_search_icd_release as run

    return run(_bench_keys(quick)[1], RESULT_LIMIT)


def stage_visit(quick: bool) -> dict[str, Any]:
    """``evaluate()`` over a few hundred seeded realistic visits (visit_eval.py)."""
    from benchmarks.visit_eval import stage_visit as run

    return run(quick)


STAGES: dict[str, Callable[[bool], dict[str, Any]]] = {
    "search": stage_search,
    "visit": stage_visit,
    "search_icd_release": stage_search_icd_release,
    "gui": stage_gui,
    "proxy": stage_proxy,
    "memory_gui": lambda quick: stage_memory(quick, gui=True),
    "memory_headless": lambda quick: stage_memory(quick, gui=False),
}


def run_stage(name: str, quick: bool, qpa: str) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; {"error": ...} if it fails."""
    with tempfile.TemporaryDirectory(prefix="ptcodes-bench-") as tmp:
        out = Path(tmp) / "stage.json"
        cmd = [sys.executable, "-m", "benchmarks.bench", "--stage", name,
               "--stage-out", str(out)] + (["--quick"] if quick else [])
        try:
            proc = subprocess.run(cmd, env=_child_env(qpa), capture_output=True, text=True,
                                  timeout=STAGE_TIMEOUT_S, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return {"error": f"stage {name} timed out after {STAGE_TIMEOUT_S} s"}
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            return {"error": f"stage {name} failed ({proc.returncode}): " + " | ".join(tail)}
        data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return data


# ----------------------------------------------------------------------------- start


def time_start(cmd: Sequence[str], runs: int, qpa: str, cwd: Path) -> dict[str, Any]:
    """Wall time from spawning ``cmd --print-startup-time`` to its ``startup_seconds=`` line.

    One untimed run first (disk cache); the median of ``runs`` timed runs. Each run gets a
    fresh data folder; the process is ended once the line is read."""
    wall: list[float] = []
    reported: list[float] = []
    rss: list[float] = []
    errors: list[str] = []
    for i in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="ptcodes-bench-") as tmp:
            res = _start_once(cmd, Path(tmp), qpa, cwd)
        if "error" in res:
            errors.append(str(res["error"]))
            if len(errors) >= 2:
                break
            continue
        if i == 0:
            continue
        wall.append(res["wall_s"])
        reported.append(res["reported_s"])
        if res["rss_mb"] is not None:
            rss.append(res["rss_mb"])
    if not wall:
        return {"status": "failed: " + "; ".join(errors), "median_s": None}
    return {
        "status": "ok",
        "runs": len(wall),
        "median_s": round(statistics.median(wall), 3),
        "runs_s": [round(w, 3) for w in wall],
        "app_reported_median_s": round(statistics.median(reported), 3),
        "peak_rss_mb": round(statistics.median(rss), 1) if rss else None,
        "errors": errors,
    }


def _start_once(cmd: Sequence[str], data_dir: Path, qpa: str, cwd: Path) -> dict[str, Any]:
    args = [*cmd, "--print-startup-time", "--data-dir", str(data_dir)]
    lines: queue.Queue[str | None] = queue.Queue()
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True,
                                env=_child_env(qpa), cwd=cwd)

        def reader() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        found: str | None = None
        t1 = t0
        deadline = t0 + 60
        while found is None and time.perf_counter() < deadline:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.perf_counter()))
            except queue.Empty:
                break
            if line is None:
                break
            if line.startswith("startup_seconds="):
                t1 = time.perf_counter()
                found = line
        rss = _pid_peak_rss_mb(proc.pid)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if found is None:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-2:]
            return {"error": f"no startup_seconds line (exit {proc.returncode}): "
                             + " | ".join(tail)}
    return {"wall_s": t1 - t0, "reported_s": float(found.split("=", 1)[1]), "rss_mb": rss}


# ----------------------------------------------------------------------------- sizes


def folder_bytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def targz_bytes(path: Path) -> int:
    """Size of ``path`` as a gzip level-6 tar (what ``tar czf`` makes), built in /tmp."""
    with tempfile.TemporaryDirectory(prefix="ptcodes-bench-") as tmp:
        out = Path(tmp) / "bundle.tar.gz"
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(path, arcname=path.name)
        return out.stat().st_size


def sizes(quick: bool) -> dict[str, Any]:
    from ptcodes_gui.catalog.schema import packaged_catalog_path

    cat = packaged_catalog_path()
    out: dict[str, Any] = {"catalog_bytes": cat.stat().st_size if cat.is_file() else None}
    if not BUNDLE_DIR.is_dir():
        out.update(bundle_status="not built", bundle_bytes=None, bundle_targz_bytes=None)
        return out
    out["bundle_status"] = "ok"
    out["bundle_bytes"] = folder_bytes(BUNDLE_DIR)
    out["bundle_targz_bytes"] = None if quick else targz_bytes(BUNDLE_DIR)
    if quick:
        out["bundle_targz_status"] = "skipped (--quick)"
    return out


# ----------------------------------------------------------------------------- report


def _ours_on(keys: Sequence[str], search: dict[str, Any]) -> list[float]:
    """Our search-layer samples for the same keystrokes as a baseline (first occurrence)."""
    by_key: dict[str, float] = {}
    for k, s in zip(search["keys"], search["samples_s"], strict=True):
        by_key.setdefault(k, s)
    return [by_key[k] for k in keys if k in by_key]


def collect(quick: bool, gui: bool, qpa: str, progress: Callable[[str], None]) -> dict[str, Any]:
    queries, keys = _bench_keys(quick)
    res: dict[str, Any] = {
        "schema": SCHEMA,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": {"quick": quick, "gui": gui, "qt_platform": qpa if gui else None},
        "machine": machine(),
        "queries": {"file": f"benchmarks/{QUERIES_FILE}", "queries": len(queries),
                    "keystrokes": len(keys), "distinct_keystrokes": len(set(keys))},
    }
    figures: dict[str, Any] = {}
    progress("search layer + LIKE baseline")
    search = run_stage("search", quick, qpa)
    if "error" in search:
        figures["search"] = {"status": search["error"]}
        figures["like_baseline"] = {"status": search["error"]}
    else:
        figures["search"] = {
            "status": "ok", **summary_ms(search["samples_s"]),
            "cpu_p99_ms": round(percentile(search["cpu_samples_s"], 99) * 1000, 3),
            "open_ms": search["open_ms"], "cold_first_search_ms": search["cold_first_search_ms"],
            "gc_collections": search["gc_collections"], "slowest": search["slowest"],
            "qt_imported": search["qt_imported"],
        }
        like = search["like"]
        ours = _ours_on(like["keys"], search)
        figures["like_baseline"] = _baseline(like["samples_s"], ours,
                                             "LIMIT 200 per table, evenly spread keystrokes")
    progress("search layer over an imported ICD-10-CM release")
    imported = run_stage("search_icd_release", quick, qpa)
    figures["search_icd_release"] = {"status": imported["error"]} if "error" in imported else {
        "status": "ok", **summary_ms(imported["samples_s"]), "attach_ms": imported["attach_ms"],
        "build": imported["build"], "slowest": imported["slowest"]}
    progress("visit evaluation")
    v = run_stage("visit", quick, qpa)
    figures["visit"] = {"status": v["error"]} if "error" in v else {
        "status": "ok", **summary_ms(v["samples_s"]),
        "cpu_p50_ms": round(percentile(v["cpu_samples_s"], 50) * 1000, 3),
        "cpu_p99_ms": round(percentile(v["cpu_samples_s"], 99) * 1000, 3),
        "visits": v["visits"], "lines": v["lines"], "shared_lines": v["shared_lines"],
        "qt_imported": v["qt_imported"]}
    if gui:
        progress("keystroke to repaint (window, offscreen)")
        g = run_stage("gui", quick, qpa)
        figures["repaint"] = (
            {"status": g["error"]} if "error" in g else
            {"status": "ok", **summary_ms(g["samples_s"]),
             "cpu_p99_ms": round(percentile(g["cpu_samples_s"], 99) * 1000, 3),
             "timeouts": g["timeouts"],
             "input": g["input"], "window": g["window"], "slowest": g["slowest"]}
        )
        progress("QSortFilterProxyModel baseline")
        p = run_stage("proxy", quick, qpa)
        if "error" in p or "error" in search:
            figures["proxy_baseline"] = {"status": p.get("error") or search.get("error")}
        else:
            figures["proxy_baseline"] = {
                **_baseline(p["samples_s"], _ours_on(p["keys"], search),
                            "setFilterFixedString, case-insensitive, all columns, no view, "
                            "evenly spread keystrokes"),
                "rows": p["rows"], "build_s": p["build_s"]}
        progress("memory (window)")
        m = run_stage("memory_gui", quick, qpa)
        figures["memory"] = {"status": m["error"]} if "error" in m else {"status": "ok", **m}
        runs = _mode(quick)["start_runs"]
        progress("start from source")
        figures["start_source"] = time_start(
            [sys.executable, "-m", "ptcodes_gui"], runs, qpa, ROOT)
        if BUNDLE_EXE.is_file():
            progress("start from the frozen bundle")
            figures["start_bundle"] = time_start([str(BUNDLE_EXE)], runs, qpa, BUNDLE_DIR)
        else:
            figures["start_bundle"] = {"status": "not built", "median_s": None}
    else:
        for name in ("repaint", "proxy_baseline", "memory", "start_source", "start_bundle"):
            figures[name] = {"status": "skipped (--no-gui)"}
    progress("memory (headless)")
    mh = run_stage("memory_headless", quick, qpa)
    figures["memory_headless"] = {"status": mh["error"]} if "error" in mh else {
        "status": "ok", **mh}
    progress("sizes")
    figures["sizes"] = sizes(quick)
    res["figures"] = figures
    res["machine"]["loadavg_at_end"] = _loadavg()
    res["budgets"] = budgets(figures)
    return res


def _baseline(samples: list[float], ours: list[float], how: str) -> dict[str, Any]:
    base = summary_ms(samples)
    mine = summary_ms(ours) if ours else None
    out: dict[str, Any] = {"status": "ok", **base, "how": how}
    if mine is not None:
        out["ours_same_keys_p50_ms"] = mine["p50_ms"]
        out["ours_same_keys_p99_ms"] = mine["p99_ms"]
        out["ours_over_baseline_p99"] = round(mine["p99_ms"] / base["p99_ms"], 5)
        out["speedup_p99"] = round(base["p99_ms"] / mine["p99_ms"], 1)
    return out


def _get(figures: dict[str, Any], section: str, key: str) -> float | None:
    value = figures.get(section, {}).get(key)
    return float(value) if isinstance(value, (int, float)) else None


def _note(figures: dict[str, Any], section: str, key: str, what: str) -> str:
    value = figures.get(section, {}).get(key)
    return f"{value} {what}" if value is not None else ""


def budgets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: value, budget (None: reported only) and PASS / MISS / n/a."""
    def row(label: str, value: float | None, unit: str, budget: float | None = None,
            higher_is_better: bool = False, note: str = "") -> dict[str, Any]:
        if value is None:
            status = "n/a"
        elif budget is None:
            status = "-"
        else:
            ok = value >= budget if higher_is_better else value <= budget
            status = "PASS" if ok else "MISS"
        return {"figure": label, "value": value, "unit": unit, "budget": budget,
                "budget_op": ">=" if higher_is_better else "<=", "status": status,
                "note": note}

    f = figures
    s = f.get("sizes", {})

    def mb(v: Any) -> float | None:
        return round(v / 1e6, 1) if isinstance(v, int) else None

    return [
        row("search layer p50", _get(f, "search", "p50_ms"), "ms"),
        row("search layer p99", _get(f, "search", "p99_ms"), "ms", BUDGET_SEARCH_P99_MS),
        row("search p99, imported ICD-10-CM release", _get(f, "search_icd_release", "p99_ms"),
            "ms", BUDGET_SEARCH_P99_MS),
        row("visit evaluate() p50", _get(f, "visit", "p50_ms"), "ms",
            note=_note(f, "visit", "visits", "seeded visits")),
        row("visit evaluate() p99", _get(f, "visit", "p99_ms"), "ms",
            note=_note(f, "visit", "cpu_p99_ms", "ms CPU p99")),
        row("keystroke to repaint p50", _get(f, "repaint", "p50_ms"), "ms"),
        row("keystroke to repaint p99", _get(f, "repaint", "p99_ms"), "ms",
            BUDGET_REPAINT_P99_MS),
        row("start, from source (median)", _get(f, "start_source", "median_s"), "s",
            note=str(f.get("start_source", {}).get("status", ""))),
        row("start, frozen bundle (median)", _get(f, "start_bundle", "median_s"), "s",
            BUDGET_START_S, note=str(f.get("start_bundle", {}).get("status", ""))),
        row("peak RSS after start (window)", _get(f, "memory", "after_start_mb"), "MB",
            BUDGET_RSS_MB),
        row("peak RSS after searches (window)", _get(f, "memory", "after_searches_mb"), "MB",
            BUDGET_RSS_MB, note=_note(f, "memory", "searches", "searches")),
        row("peak RSS after searches (headless)",
            _get(f, "memory_headless", "after_searches_mb"), "MB"),
        row("proxy baseline p50", _get(f, "proxy_baseline", "p50_ms"), "ms",
            note=_note(f, "proxy_baseline", "n", "keystrokes")),
        row("proxy baseline p99", _get(f, "proxy_baseline", "p99_ms"), "ms"),
        row("speedup vs proxy at p99", _get(f, "proxy_baseline", "speedup_p99"), "x",
            BUDGET_PROXY_SPEEDUP, higher_is_better=True),
        row("LIKE baseline p50", _get(f, "like_baseline", "p50_ms"), "ms",
            note=_note(f, "like_baseline", "n", "keystrokes")),
        row("LIKE baseline p99", _get(f, "like_baseline", "p99_ms"), "ms"),
        row("speedup vs LIKE at p99", _get(f, "like_baseline", "speedup_p99"), "x"),
        row("bundle folder", mb(s.get("bundle_bytes")), "MB",
            note=str(s.get("bundle_status", ""))),
        row("bundle .tar.gz", mb(s.get("bundle_targz_bytes")), "MB",
            note=str(s.get("bundle_targz_status", s.get("bundle_status", "")))),
        row("catalog file", mb(s.get("catalog_bytes")), "MB"),
    ]


def render_table(res: dict[str, Any]) -> str:
    m = res["machine"]
    q = res["queries"]
    head = [
        f"PT Codes benchmark, {res['date']} ({'quick' if res['mode']['quick'] else 'full'}"
        f"{', no GUI' if not res['mode']['gui'] else ''})",
        f"{m['cpu']}, {m['nproc']} CPUs, {m['ram_gb']} GB; Python {m['python']}, "
        f"PySide6 {m['pyside6']}, SQLite {m['sqlite']}; load {m['loadavg_at_start']}",
        f"{q['queries']} queries typed key by key = {q['keystrokes']} keystrokes",
        "",
    ]
    rows = [("figure", "value", "budget", "status", "note")]
    for b in res["budgets"]:
        value = "-" if b["value"] is None else f"{b['value']:g} {b['unit']}"
        budget = "" if b["budget"] is None else f"{b['budget_op']} {b['budget']:g} {b['unit']}"
        rows.append((b["figure"], value, budget, b["status"], b["note"]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True))
                     + ("  " + r[4] if r[4] else ""))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(head + lines)


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="PT Codes performance benchmark: prints a table, writes JSON.")
    parser.add_argument("--out", type=Path, default=Path("bench-results") / "bench.json",
                        help="where to write the JSON (default: bench-results/bench.json)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke mode for tests: few keystrokes and runs")
    parser.add_argument("--no-gui", action="store_true",
                        help="headless: search layer, LIKE baseline, memory, sizes only")
    parser.add_argument("--platform", default="offscreen",
                        help="QT_QPA_PLATFORM of the GUI measurements (default offscreen)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--stage-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.stage:
        data = STAGES[args.stage](args.quick)
        data["qt_imported"] = any(m.startswith(("PySide6", "shiboken6")) for m in sys.modules)
        args.stage_out.write_text(json.dumps(data), encoding="utf-8")
        return 0

    def progress(msg: str) -> None:
        print(f"[bench] {msg} ...", file=sys.stderr, flush=True)

    res = collect(args.quick, not args.no_gui, args.platform, progress)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(render_table(res))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

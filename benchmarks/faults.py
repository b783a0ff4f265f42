"""Fault harness: ``python -m benchmarks.faults [--quick] [--seed N] [--out FILE]``.

Runs PT Codes the way a hostile environment would (kill -9 at random moments, a kill
injected at chosen system calls with strace, concurrent writers, damaged and deleted
files, unreadable files, hostile clinic folders and imports) and prints one table:

    case | item | acked | readable | starts (failed/read-only/hung) | message

* ``acked``: the favorites and templates the child processes were told were saved (a
  write method returned, or was queued with "will be saved");
* ``readable``: how many of those a fresh start shows;
* ``starts``: the restarts made after the fault, and how many failed (a traceback, a
  non-zero exit), came up read-only (locked out of saving), or hung (killed after
  ``HANG_SECONDS``);
* ``message``: the first thing the restart said (start-up message or error line).

Every process is a real child (``sys.executable``); each case works in its own temp
folder. ``--quick`` runs fewer kills and damages (about a minute); the default takes a few
minutes. The random-damage sweep is seeded (``--seed``), so a run can be repeated.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

HANG_SECONDS = 15.0
ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- children


def _cli_main() -> Callable[[list[str]], int]:
    import importlib

    try:
        module = importlib.import_module("ptcodes_gui.cli.main")  # after the Layout change
    except ImportError:
        module = importlib.import_module("ptcodes_gui.cli")
    return cast(Callable[[list[str]], int], module.main)


def _store(data: str) -> Any:
    from ptcodes_gui.userdata.store import UserStore

    return UserStore.open(Path(data))


def _ack(kind: str, name: str) -> None:
    sys.stdout.write(f"ACK {kind} {name}\n")
    sys.stdout.flush()


def child_open(data: str) -> None:
    """A start as the window makes it: open, load what the window loads, close."""
    store, messages = _store(data)
    out = {
        "favorites": store.favorites(),
        "templates": [t.name for t in store.templates()],
        "read_only": store.read_only_reason,
        "messages": [m.text for m in messages],
    }
    store.profiles()
    store.recents()
    store.get_setting("ui.theme")
    store.close()
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


def _lines() -> Any:
    from ptcodes_gui.userdata.templates import TemplateLine

    return [TemplateLine("97110", 15), TemplateLine("97140", 8)]


def _retry(write: Callable[[], object]) -> None:
    from ptcodes_gui.userdata.errors import UserDataBusy

    while True:
        try:
            write()
            return
        except UserDataBusy:
            time.sleep(0.02)


def child_cycle(data: str, prefix: str) -> None:
    """Open, write favorites and a template, close; forever (until killed)."""
    n = 0
    while True:
        store, _ = _store(data)
        for _ in range(3):
            n += 1
            code = f"{prefix}{n:05d}"
            _retry(functools.partial(store.add_favorite, code))
            _ack("fav", code)
        name = f"T{prefix}{n:05d}"
        _retry(functools.partial(store.save_template, name, _lines()))
        _ack("tpl", name)
        store.close()


def child_favs(data: str, prefix: str, count: str) -> None:
    store, _ = _store(data)
    for i in range(int(count)):
        code = f"{prefix}{i:05d}"
        store.add_favorite(code)  # queued behind a lock counts: the window said "added"
        _ack("fav", code)
    store.close()


def child_templates(data: str, prefix: str, count: str) -> None:
    store, _ = _store(data)
    for i in range(int(count)):
        name = f"T{prefix}{i:05d}"
        _retry(functools.partial(store.save_template, name, _lines()))
        _ack("tpl", name)
    store.close()


def child_starts(data: str, count: str) -> None:
    """Start (open and close) again and again: the sweep of every start runs."""
    for _ in range(int(count)):
        store, _ = _store(data)
        store.templates()
        store.close()


def child_hold(db: str, seconds: str) -> None:
    """Hold the write lock of ``db`` (another copy of PT Codes in a long write)."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    sys.stdout.write("HELD\n")
    sys.stdout.flush()
    time.sleep(float(seconds))
    conn.execute("COMMIT")
    conn.close()


def child_cli(*argv: str) -> None:
    sys.exit(_cli_main()(list(argv)))


CHILDREN: dict[str, Callable[..., None]] = {
    "open": child_open, "cycle": child_cycle, "favs": child_favs,
    "templates": child_templates, "starts": child_starts, "hold": child_hold,
    "cli": child_cli,
}

# --------------------------------------------------------------------------- plumbing


@dataclass
class Run:
    code: int | None  # None: hung (killed)
    out: str
    err: str
    seconds: float

    @property
    def acked(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {"fav": set(), "tpl": set()}
        for line in self.out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ACK":
                found[parts[1]].add(parts[2])
        return found

    @property
    def result(self) -> dict[str, Any] | None:
        for line in self.out.splitlines():
            if line.startswith("RESULT "):
                return json.loads(line[7:])  # type: ignore[no-any-return]
        return None


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PTCODES_CLINIC_DIR", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra or {})
    return env


def _cmd(action: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.faults", "--child", action, *args]


def run(action: str, *args: str, timeout: float = HANG_SECONDS, prefix: Sequence[str] = (),
        env: dict[str, str] | None = None) -> Run:
    start = time.monotonic()
    proc = subprocess.Popen([*prefix, *_cmd(action, *args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env(env), cwd=ROOT,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return Run(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               time.monotonic() - start)


def run_killed(action: str, *args: str, after: float) -> Run:
    """Start a child and kill -9 it ``after`` seconds later (or when it ends)."""
    start = time.monotonic()
    proc = subprocess.Popen(_cmd(action, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT)
    time.sleep(after)
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return Run(proc.returncode, out.decode("utf-8", "replace"), "", time.monotonic() - start)


@dataclass
class Row:
    case: str
    item: str
    acked: int | None = None
    readable: int | None = None
    starts: int = 0
    failed: int = 0
    read_only: int = 0
    hung: int = 0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def start(self, restart: Run) -> dict[str, Any] | None:
        """Count one restart; its result (None when it failed or hung)."""
        self.starts += 1
        if restart.code is None:
            self.hung += 1
            self.message = self.message or f"hung (killed after {HANG_SECONDS:.0f} s)"
            return None
        result = restart.result
        if restart.code != 0 or result is None or "Traceback" in restart.err:
            self.failed += 1
            last = [ln for ln in restart.err.strip().splitlines() if ln.strip()]
            self.message = self.message or (last[-1] if last else f"exit {restart.code}")
            return None
        if result["read_only"]:
            self.read_only += 1
        if result["messages"] and not self.message:
            self.message = result["messages"][0]
        return result


def restart(row: Row, data: Path, acked: dict[str, set[str]]) -> None:
    """A fresh start after the fault; adds what it shows of ``acked`` to the row."""
    result = row.start(run("open", str(data)))
    total = len(acked["fav"]) + len(acked["tpl"])
    row.acked = (row.acked or 0) + total
    if result is not None:
        seen = len(acked["fav"] & set(result["favorites"]))
        seen += len(acked["tpl"] & set(result["templates"]))
        row.readable = (row.readable or 0) + seen
    else:
        row.readable = row.readable or 0


def make_base(folder: Path, favorites: int = 21) -> dict[str, set[str]]:
    """A data folder with a backup, then ``favorites`` favorites and 2 templates written
    after it (only the live file holds them)."""
    child = run("favs", str(folder), "B", "3")
    acked = child.acked
    tpl = run("templates", str(folder), "B", "2")
    acked["tpl"] |= tpl.acked["tpl"]
    after = run("favs", str(folder), "A", str(favorites))
    acked["fav"] |= after.acked["fav"]
    return acked


@contextlib.contextmanager
def workdir(name: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"ptfault-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- cases


def case_strace(tmp: Path, quick: bool) -> list[Row]:
    """Item 1: kill -9 injected at the Nth unlink/rename of ``ptcodes show``."""
    rows = []
    if shutil.which("strace") is None:
        return [Row("kill at a syscall (strace)", "1", message="strace not installed: skipped")]
    base = tmp / "base"
    acked = make_base(base, 5)
    for call in ("unlink", "rename"):
        row = Row(f"kill -9 at the n-th {call} of a start", "1")
        for when in range(1, 3 if quick else 5):
            data = tmp / f"{call}{when}"
            shutil.copytree(base, data)
            run("cli", "--data-dir", str(data), "show", "97110", prefix=[
                "strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={call}",
                "-e", f"inject={call}:signal=KILL:when={when}"])
            restart(row, data, acked)
        rows.append(row)
    return rows


def case_kill_random(tmp: Path, quick: bool, rng: random.Random) -> list[Row]:
    """kill -9 at random moments of open / write / close cycles (one writer)."""
    row = Row("kill -9 at random moments (open, write, close)", "1,3")
    data = tmp / "kill"
    kills = 6 if quick else 25
    acked: dict[str, set[str]] = {"fav": set(), "tpl": set()}
    for k in range(kills):
        child = run_killed("cycle", str(data), f"K{k:02d}", after=rng.uniform(0.4, 2.5))
        acked["fav"] |= child.acked["fav"]
        acked["tpl"] |= child.acked["tpl"]
        result = row.start(run("open", str(data)))
        if result is not None:
            missing = (acked["fav"] - set(result["favorites"])) | (
                acked["tpl"] - set(result["templates"]))
            row.extra.setdefault("lost_after_kill", []).append(len(missing))
    final = run("open", str(data)).result or {"favorites": [], "templates": []}
    row.acked = len(acked["fav"]) + len(acked["tpl"])
    row.readable = len(acked["fav"] & set(final["favorites"])) + len(
        acked["tpl"] & set(final["templates"]))
    return [row]


def case_concurrent(tmp: Path, quick: bool) -> list[Row]:
    """Item 2: three copies saving templates while a fourth starts again and again."""
    row = Row("3 writers saving templates + starts", "2")
    data = tmp / "conc"
    run("favs", str(data), "C", "1")
    per = 40 if quick else 150
    procs = [subprocess.Popen(_cmd("templates", str(data), f"W{i}", str(per)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                              cwd=ROOT) for i in range(3)]
    starts = subprocess.Popen(_cmd("starts", str(data), "15" if quick else "40"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
                              cwd=ROOT)
    acked: dict[str, set[str]] = {"fav": set(), "tpl": set()}
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        acked["tpl"] |= Run(proc.returncode, out.decode(), "", 0).acked["tpl"]
        if proc.returncode != 0:
            row.extra["writer_errors"] = err.decode()[-300:]
    _, serr = starts.communicate(timeout=600)
    if starts.returncode != 0:
        row.failed += 1
        row.message = serr.decode().strip().splitlines()[-1]
    restart(row, data, acked)
    return [row]


def _damage_random(db: Path, rng: random.Random) -> str:
    size = db.stat().st_size
    with db.open("r+b") as f:
        offset = rng.randrange(0, size)
        length = rng.randint(1, 8)
        f.seek(offset)
        f.write(bytes(rng.randrange(256) for _ in range(length)))
    return f"{length} bytes at {offset}"


def _truncate_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def _zero_page(db: Path) -> None:
    with db.open("r+b") as f:
        f.seek(4096)
        f.write(b"\0" * 4096)


def _zero_bytes(db: Path) -> None:
    os.truncate(db, 0)


def _delete(db: Path) -> None:
    db.unlink()


def _directory(db: Path) -> None:
    db.unlink()
    db.mkdir()


def _fifo(db: Path) -> None:
    db.unlink()
    os.mkfifo(db)


def _hot_journal(db: Path) -> None:
    """What a kill during a rollback-journal transaction leaves: a hot journal."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    script = (f"import sqlite3,os; c=sqlite3.connect({str(db)!r},isolation_level=None);"
              "c.execute('PRAGMA cache_size=1'); c.execute('BEGIN IMMEDIATE');"
              "c.execute(\"UPDATE favorites SET added=hex(randomblob(3000))\");"
              "c.execute(\"INSERT INTO favorites(code,added,seq) SELECT code||'Z',added,"
              "seq+100000 FROM favorites\"); os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", script], check=False)


def _damage_all_backups(db: Path) -> None:
    for path in (db.parent / "backups").iterdir():
        if path.is_file():
            with path.open("r+b") as f:
                f.write(b"garbage!" * 16)
    db.unlink()


DAMAGES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "user.sqlite cut to half its size": ("3", _truncate_half),
    "user.sqlite page 2 zeroed": ("3", _zero_page),
    "user.sqlite 0 bytes": ("3", _zero_bytes),
    "user.sqlite deleted": ("3", _delete),
    "user.sqlite is a folder": ("8", _directory),
    "user.sqlite is a FIFO": ("8,9", _fifo),
    "user.sqlite with a hot journal": ("1,8", _hot_journal),
    "user.sqlite missing, every backup damaged": ("8", _damage_all_backups),
}


def case_damage(tmp: Path, quick: bool, rng: random.Random) -> list[Row]:
    """Item 3 and 8: a damaged, deleted or unreadable file after writes the backup lacks."""
    base = tmp / "dbase"
    acked = make_base(base)
    rows = []
    for i, (name, (item, damage)) in enumerate(DAMAGES.items()):
        row = Row(name, item)
        data = tmp / f"d{i}"
        shutil.copytree(base, data)
        damage(data / "user.sqlite")
        restart(row, data, acked)
        if "backup" in name and not row.message:
            row.message = "(nothing said)"
        rows.append(row)
    sweep = Row(f"random 1-8 byte damage of user.sqlite (x{8 if quick else 60})", "3")
    for k in range(8 if quick else 60):
        data = tmp / f"r{k}"
        shutil.copytree(base, data)
        _damage_random(data / "user.sqlite", rng)
        before = sweep.failed
        restart(sweep, data, acked)
        if sweep.failed > before:
            sweep.extra.setdefault("failed_messages", []).append(sweep.message)
    rows.append(sweep)
    copies = Row(f"random damage of the newest backup/copy (x{4 if quick else 20})", "3")
    for k in range(4 if quick else 20):
        data = tmp / f"c{k}"
        shutil.copytree(base, data)
        newest = max((p for p in (data / "backups").iterdir() if p.suffix == ".sqlite"),
                     key=lambda p: p.stat().st_mtime)
        _damage_random(newest, rng)
        restart(copies, data, acked)
    rows.append(copies)
    return rows


def case_queued_close(tmp: Path, quick: bool) -> list[Row]:
    """Item 7: favorites queued behind another copy's lock, then the window closes."""
    row = Row("favorites queued behind a lock, then close", "7")
    data = tmp / "queued"
    run("favs", str(data), "Q", "1")
    hold = _cmd("hold", str(data / "user.sqlite"), "10")
    script = "\n".join([
        "import subprocess, sys",
        "from pathlib import Path",
        "from ptcodes_gui.userdata.store import UserStore",
        "s, _ = UserStore.open(Path(sys.argv[1]))  # a window already running",
        f"h = subprocess.Popen({hold!r}, stdout=subprocess.PIPE)",
        "h.stdout.readline()  # another copy now holds the lock for 10 s",
        "for i in range(10):",
        "    s.add_favorite(f'L{i:04d}')",
        "    print('ACK fav', f'L{i:04d}', flush=True)",
        "s.close()",
        "h.wait()",
    ])
    proc = subprocess.Popen([sys.executable, "-c", script, str(data)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    out, err = proc.communicate(timeout=120)
    acked = Run(proc.returncode, out.decode(), "", 0).acked
    restart(row, data, acked)
    if err.strip():
        row.extra["close_said"] = err.decode()[-300:]
    return [row]


# ----------------------------------------------------------------- CLI and clinic folder


def _cli(data: Path, *argv: str, env: dict[str, str] | None = None,
         timeout: float = HANG_SECONDS) -> Run:
    return run("cli", "--data-dir", str(data), *argv, env=env, timeout=timeout)


def _cli_row(row: Row, result: Run, ok: Callable[[Run], bool], said: str = "") -> Row:
    row.starts += 1
    if result.code is None:
        row.hung += 1
        row.message = f"hung (killed after {HANG_SECONDS:.0f} s)"
        return row
    if "Traceback" in result.err or not ok(result):
        row.failed += 1
    lines = [ln for ln in (result.err + result.out).strip().splitlines() if ln.strip()]
    row.message = said or (lines[-1] if lines else f"exit {result.code}")
    return row


def _shown(row: Row, reader: Path, env: dict[str, str]) -> Row:
    """``show`` did not hang or fail: the message is what ``clinic status`` says."""
    if row.hung or row.failed:
        return row
    status = _cli(reader, "clinic", "status", env=env)
    lines = [ln for ln in (status.err + status.out).strip().splitlines() if ln.strip()]
    if status.code is None:
        row.hung += 1
        row.message = "clinic status hung"
    elif lines:
        row.message = " ".join(lines)
    return row


def _publish(data: Path, clinic: Path) -> Run:
    return _cli(data, "clinic", "publish", str(clinic))


def _release_dir(clinic: Path) -> Path:
    pointer = json.loads((clinic / "ptcodes-clinic.json").read_text())
    return clinic / str(pointer["current"])


def _rewrite_manifest(release: Path) -> None:
    import hashlib

    manifest = json.loads((release / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        blob = (release / name).read_bytes()
        entry["sha256"] = hashlib.sha256(blob).hexdigest()
        entry["size"] = len(blob)
    (release / "manifest.json").write_text(json.dumps(manifest))


def _hostile_view(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%fts%' AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    loop = ("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c) "
            "SELECT n FROM c")
    for table in tables:
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        conn.execute(f'DROP TABLE "{table}"')
        select = ", ".join(f'n AS "{c}"' for c in cols)
        conn.execute(f'CREATE VIEW "{table}" AS SELECT {select} FROM ({loop})')
    conn.close()


def case_clinic(tmp: Path, quick: bool) -> list[Row]:
    """Items 4, 5, 6, 9, 10: what a hostile or broken clinic folder does to every PC."""
    rows: list[Row] = []
    pub, clinic = tmp / "pub", tmp / "clinic"
    run("favs", str(pub), "P", "2")
    codes = tmp / "codes.csv"
    codes.write_text("code,title\nZCL01,Clinic code one\nZCL02,Clinic code two\n")
    _cli(pub, "import", "codes", str(codes), "--apply")
    published = _publish(pub, clinic)
    if published.code != 0:
        return [Row("clinic publish", "4-6", failed=1, starts=1,
                    message=(published.err or published.out).strip()[-200:])]
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in
             (clinic / "ptcodes-clinic.json", _release_dir(clinic) / "manifest.json")}
    bad = [f"{n} {m}" for n, m in modes.items() if int(m, 8) & 0o044 != 0o044]
    rows.append(Row("clinic files readable by other accounts", "5", starts=0,
                    failed=len(bad), message="; ".join(bad) or "all 0644"))
    env = {"PTCODES_CLINIC_DIR": str(clinic)}
    reader = tmp / "reader"
    rows.append(_cli_row(Row("clinic reader: show 97110 (sane folder)", "-"),
                         _cli(reader, "show", "97110", env=env), lambda r: r.code == 0))
    # item 4: a view with an endless recursive CTE in the published databases
    hostile = tmp / "hostile"
    shutil.copytree(clinic, hostile)
    release = _release_dir(hostile)
    _hostile_view(release / "imports.sqlite")
    _rewrite_manifest(release)
    henv = {"PTCODES_CLINIC_DIR": str(hostile)}
    r4 = tmp / "reader4"
    rows.append(_shown(_cli_row(Row("clinic imports.sqlite: endless recursive view", "4"),
                                _cli(r4, "show", "97110", env=henv), lambda r: r.code == 0),
                       r4, henv))
    rows.append(_shown(_cli_row(Row("  same, after the share is fixed", "4"),
                                _cli(r4, "show", "97110", env=env), lambda r: r.code == 0),
                       r4, env))
    # hostile values inside a well-formed database, a damaged one, nested settings.json
    for what in ("values", "pages", "settings"):
        hostile_copy = tmp / f"bad-{what}"
        shutil.copytree(clinic, hostile_copy)
        rel = _release_dir(hostile_copy)
        if what == "values":
            conn = sqlite3.connect(rel / "imports.sqlite", isolation_level=None)
            conn.execute("UPDATE releases SET files = ?, parts = ?, details = ?, rows = 'many', "
                         "effective = 20270101", ("[" * 100_000, "[" * 50_000 + "]" * 50_000,
                                                  "{" * 3000))
            conn.close()
        elif what == "pages":
            with (rel / "imports.sqlite").open("r+b") as f:
                f.seek(4096)
                f.write(b"\xff" * 8192)
        else:
            (rel / "settings.json").write_text("[" * 100_000 + "]" * 100_000)
        _rewrite_manifest(rel)
        benv = {"PTCODES_CLINIC_DIR": str(hostile_copy)}
        label = {"values": "clinic imports.sqlite: nested JSON, text for numbers in records",
                 "pages": "clinic imports.sqlite: damaged pages",
                 "settings": "clinic settings.json: 100,000 nested brackets"}[what]
        rows.append(_shown(_cli_row(Row(label, "4,6"),
                                    _cli(tmp / f"rb{what}", "show", "97110", env=benv),
                                    lambda r: r.code == 0), tmp / f"rb{what}", benv))
    # item 6: nested JSON in the pointer and in the manifest
    for what in ("pointer", "manifest"):
        nested = tmp / f"nested-{what}"
        shutil.copytree(clinic, nested)
        target = (nested / "ptcodes-clinic.json" if what == "pointer"
                  else _release_dir(nested) / "manifest.json")
        target.write_text("[" * 100_000 + "]" * 100_000)
        nenv = {"PTCODES_CLINIC_DIR": str(nested)}
        rows.append(_shown(_cli_row(Row(f"clinic {what}: 100,000 nested brackets", "6"),
                                    _cli(tmp / f"r6{what}", "show", "97110", env=nenv),
                                    lambda r: r.code == 0), tmp / f"r6{what}", nenv))
    # item 9: a FIFO as the clinic pointer; /dev/zero as a release file
    fifo = tmp / "fifo-clinic"
    shutil.copytree(clinic, fifo)
    (fifo / "ptcodes-clinic.json").unlink()
    os.mkfifo(fifo / "ptcodes-clinic.json")
    fenv = {"PTCODES_CLINIC_DIR": str(fifo)}
    rows.append(_shown(_cli_row(Row("clinic pointer is a FIFO", "9"),
                                _cli(tmp / "r9", "show", "97110", env=fenv),
                                lambda r: r.code == 0), tmp / "r9", fenv))
    zero = tmp / "zero-clinic"
    shutil.copytree(clinic, zero)
    zrel = _release_dir(zero)
    (zrel / "imports.sqlite").unlink()
    (zrel / "imports.sqlite").symlink_to("/dev/zero")
    zr = tmp / "r9z"
    result = _cli(zr, "show", "97110", env={"PTCODES_CLINIC_DIR": str(zero)})
    written = sum(p.stat().st_size for p in (zr / "clinic-cache").rglob("*") if p.is_file()) \
        if (zr / "clinic-cache").exists() else 0
    row = _shown(_cli_row(Row("release file is a link to /dev/zero", "9"), result,
                          lambda r: r.code == 0), zr, {"PTCODES_CLINIC_DIR": str(zero)})
    row.message = f"{result.seconds:.1f} s; {row.message[:120]}"
    row.extra["cache_bytes_left"] = written
    rows.append(row)
    outside = tmp / "outside-clinic"
    shutil.copytree(clinic, outside)
    orel = _release_dir(outside)
    elsewhere = tmp / "elsewhere"
    shutil.move(str(orel), elsewhere)
    orel.symlink_to(elsewhere, target_is_directory=True)
    ro = tmp / "r9o"
    result = _cli(ro, "clinic", "status", env={"PTCODES_CLINIC_DIR": str(outside)})
    followed = "release" in (result.out + result.err).lower() and "symlink" not in (
        result.out + result.err).lower() and "link" not in (result.out + result.err).lower()
    rows.append(_cli_row(Row("release folder symlinked outside the share", "9"), result,
                         lambda r: not followed))
    # item 10: a killed publisher's stale lock
    (clinic / ".publish.lock").write_text("deadhost 999999 2026-01-01T00:00:00\n")
    with contextlib.suppress(OSError):
        import socket

        (clinic / ".publish.lock").write_text(f"{socket.gethostname()} 999999 x\n")
    result = _cli(pub, "clinic", "publish", str(clinic), timeout=60)
    row = _cli_row(Row("publish over a killed publisher's lock", "10"), result,
                   lambda r: r.code == 0)
    row.message = f"{result.seconds:.1f} s; {row.message[:90]}"
    rows.append(row)
    return rows


def case_cli(tmp: Path, quick: bool) -> list[Row]:
    """Item 10: what the command line echoes and how often."""
    rows = []
    data = tmp / "cli"
    run("favs", str(data), "C", "1")
    result = _cli(data, "show", "\x1b[2J\x1b]0;owned\x07X")
    raw = "\x1b" in result.out + result.err
    rows.append(_cli_row(Row("show echoes terminal escapes", "10"), result,
                         lambda r: not raw, "raw ESC echoed" if raw else "escapes removed"))
    (data / "user.sqlite").write_bytes(b"not a database at all" * 300)
    result = _cli(data, "show", "97110")
    first = (result.err.strip().splitlines() or [""])[0]
    twice = bool(first) and result.err.count(first) > 1
    rows.append(_cli_row(Row("start-up message printed once", "10"), result,
                         lambda r: not twice,
                         f"printed {result.err.count(first)}x: {first[:70]}"))
    prof = tmp / "prof"
    script = ("import sys;from pathlib import Path;from ptcodes_gui.userdata.store import "
              "UserStore;s,_=UserStore.open(Path(sys.argv[1]));"
              "s.save_profile({'name':'Acme PPO','unit_rule':'midpoint'});s.close()")
    made = subprocess.run([sys.executable, "-c", script, str(prof)], env=_env(), cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        rows.append(Row("visit --profile honours --data-dir", "10", failed=1,
                        message=made.stderr.strip().splitlines()[-1]))
    else:
        result = _cli(prof, "visit", "--profile", "Acme PPO", "97110=30")
        rows.append(_cli_row(Row("visit --profile honours --data-dir", "10"), result,
                             lambda r: r.code == 0))
    return rows


def case_leftovers(tmp: Path, quick: bool) -> list[Row]:
    """Item 10: what killed fetches and imports leave behind is cleaned at the next start;
    a duplicate code in an ICD-10-CM order file is refused with a sentence."""
    pub, clinic, reader = tmp / "pub", tmp / "clinic", tmp / "reader"
    run("favs", str(pub), "P", "1")
    codes = tmp / "codes.csv"
    codes.write_text("code,title\nZCL01,Clinic code one\n")
    _cli(pub, "import", "codes", str(codes), "--apply")
    _publish(pub, clinic)
    env = {"PTCODES_CLINIC_DIR": str(clinic)}
    _cli(reader, "show", "97110", env=env)
    _cli(pub, "import", "codes", str(codes), "--apply")
    _publish(pub, clinic)  # a second release: the reader's first copy is not needed
    old = time.time() - 3600
    fetch = reader / "clinic-cache" / ".fetch-killed"
    fetch.mkdir(parents=True)
    (fetch / "imports.sqlite").write_bytes(b"x" * 1000)
    icd = reader / "icd10cm"
    icd.mkdir(exist_ok=True)
    temp = icd / ".icd-release-killed.sqlite"
    temp.write_bytes(b"x" * 1000)
    for path in (fetch, temp):
        os.utime(path, (old, old))
    result = _cli(reader, "show", "97110", env=env)
    left = [p.name for p in (fetch, temp) if p.exists()]
    cached = [p.name for p in (reader / "clinic-cache").iterdir()
              if p.is_dir() and not p.name.startswith(".")]
    row = _cli_row(Row("leftovers of killed fetches/imports, old cached release", "10"),
                   result, lambda r: not left and len(cached) == 1,
                   f"left: {', '.join(left) or 'none'}; cached releases: {len(cached)}")
    rows = [row]
    order = tmp / "icd10cm_order_2027.txt"
    line = "{:05d} {:<7} {} {:<60} {}\n"
    order.write_text(line.format(1, "M545", 0, "Low back pain", "Low back pain")
                     + line.format(2, "M5450", 1, "Low back pain, unsp", "Low back pain, unsp")
                     + line.format(3, "M5450", 1, "Low back pain, unsp", "Low back pain, unsp"))
    result = _cli(tmp / "icd", "import", "icd10cm", str(order), "--apply")
    said = [ln for ln in (result.err + result.out).splitlines()
            if "UNIQUE" in ln or "Nothing" in ln or "Traceback" in ln]
    rows.append(_cli_row(Row("ICD-10-CM order file with a code twice", "10"), result,
                         lambda r: "UNIQUE" not in r.err + r.out, said[0] if said else ""))
    return rows


def _xlsx_bomb(path: Path, mib: int) -> None:
    row = "<row>" + "<c t=\"inlineStr\"><is><t>AAAAAAAAAAAAAAAAAAAA</t></is></c>" * 40 + "</row>"
    chunk = (row * 200).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                   'schemas.openxmlformats.org/package/2006/content-types"><Default '
                   'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
                   'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                   'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.'
                   'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
                   'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship'
                   ' Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats'
                        b'.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(mib * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def case_imports(tmp: Path, quick: bool) -> list[Row]:
    """Item 9: an xlsx bomb (a few MB that inflate to gigabytes)."""
    bomb = tmp / "MCR_MUE_PractitionerServices_Eff_01-01-2027.xlsx"
    _xlsx_bomb(bomb, 300)
    data = tmp / "imp"
    result = _cli(data, "import", "mue", str(bomb), timeout=120)
    row = _cli_row(Row(f"xlsx bomb ({bomb.stat().st_size / 2**20:.1f} MB)", "9"), result,
                   lambda r: r.seconds < 1.5 and r.code != 0)
    row.message = f"{result.seconds:.1f} s; {row.message[:90]}"
    return [row]


# --------------------------------------------------------------------------- table


def table(rows: Sequence[Row]) -> str:
    head = ("| case | item | acked | readable | starts (failed/read-only/hung) | message |\n"
            "|---|---|---|---|---|---|\n")
    body = []
    for r in rows:
        acked = "-" if r.acked is None else str(r.acked)
        readable = "-" if r.readable is None else str(r.readable)
        msg = " ".join(r.message.split()).replace("|", "/")[:150]
        body.append(f"| {r.case} | {r.item} | {acked} | {readable} | "
                    f"{r.starts} ({r.failed}/{r.read_only}/{r.hung}) | {msg} |")
    return head + "\n".join(body)


CASES = ("strace", "kill", "concurrent", "damage", "queued", "clinic", "leftovers", "cli",
         "imports")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        CHILDREN[args[1]](*args[2:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults")
    parser.add_argument("--quick", action="store_true", help="fewer kills and damages")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--only", choices=CASES, action="append")
    parser.add_argument("--out", type=Path, help="also write the rows as JSON here")
    opts = parser.parse_args(args)
    rng = random.Random(opts.seed)
    rows: list[Row] = []
    start = time.monotonic()
    for name in opts.only or CASES:
        with workdir(name) as tmp:
            t0 = time.monotonic()
            if name == "strace":
                rows += case_strace(tmp, opts.quick)
            elif name == "kill":
                rows += case_kill_random(tmp, opts.quick, rng)
            elif name == "concurrent":
                rows += case_concurrent(tmp, opts.quick)
            elif name == "damage":
                rows += case_damage(tmp, opts.quick, rng)
            elif name == "queued":
                rows += case_queued_close(tmp, opts.quick)
            elif name == "clinic":
                rows += case_clinic(tmp, opts.quick)
            elif name == "leftovers":
                rows += case_leftovers(tmp, opts.quick)
            elif name == "cli":
                rows += case_cli(tmp, opts.quick)
            elif name == "imports":
                rows += case_imports(tmp, opts.quick)
            sys.stderr.write(f"{name}: {time.monotonic() - t0:.0f} s\n")
    print(table(rows))
    print(f"\nseed {opts.seed}, {'quick' if opts.quick else 'full'} run, "
          f"{time.monotonic() - start:.0f} s")
    if opts.out:
        opts.out.write_text(json.dumps([r.__dict__ for r in rows], indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

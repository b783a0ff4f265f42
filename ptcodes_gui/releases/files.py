"""Opening what the user picked, as CMS ships it: files, several files, the zips as downloaded.

Everything is streamed: a text file (or a zip member) is read line by line and decoded per
line (UTF-8, else Windows-1252, else Latin-1, which decodes any byte), so a 50 MB part
never sits in memory. A workbook (``.xlsx``) is read with python-calamine, one worksheet
row at a time. Limits are checked before anything slow: file and uncompressed sizes (a zip
member's declared size, and its compression ratio, so a zip bomb is refused before a byte
is inflated), line length, row counts (by the pipeline).
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import datetime as dt
import functools
import io
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from ptcodes_gui.userdata.errors import UserDataError

MIB = 1024 * 1024
TEXT_SUFFIXES = (".txt", ".csv", ".tsv", ".tab")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
#: Members of a CMS zip that are never data (read-me PDFs, Excel lock files, macOS junk).
_JUNK_PREFIXES = ("__MACOSX/", ".", "~$")


def nothing_imported(reason: object) -> str:
    """"Nothing was imported: <reason>" said once, whether or not the reason says it."""
    text = str(reason).strip()
    tail = "nothing was imported."
    if text.lower().endswith(tail):
        text = text[: -len(tail)].rstrip(" ;,.") + "."
    return f"Nothing was imported: {text}"


class ImportFileError(UserDataError):
    """The import as a whole cannot go on; ``str()`` names the file (and line)."""


class ImportCancelled(UserDataError):  # noqa: N818 (reads as a sentence)
    """The user cancelled; nothing was changed."""


@dataclass(frozen=True)
class ImportLimits:
    """Sizes that fit a full CMS release with room to grow, and refuse absurd input.

    A full NCCI PTP practitioner release is four parts of ~50 MB (~190 MB, ~2.6 M rows).
    """

    max_file_bytes: int = 400 * MIB  # one text file or zip member, uncompressed
    max_total_bytes: int = 1024 * MIB  # everything one import reads, uncompressed
    max_xlsx_bytes: int = 150 * MIB  # a workbook file (compressed; calamine holds a sheet)
    #: what a workbook's parts unpack to, together (checked before calamine inflates any)
    max_xlsx_unpacked: int = 400 * MIB
    max_rows: int = 6_000_000  # data rows of one import, all files together
    max_line_chars: int = 20_000
    max_field_chars: int = 2_000
    max_zip_ratio: int = 250  # text compresses ~10-30x; bombs 1000x and more
    max_zip_members: int = 200
    max_files: int = 32
    max_rejected_listed: int = 1_000


DEFAULT_LIMITS = ImportLimits()


def human_size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MB".replace(".0 MB", " MB")
    return f"{size:,} bytes"


@dataclass(frozen=True)
class InputFile:
    """One table to read: a file the user picked, or a member of a zip they picked."""

    path: Path  # the file on disk (the zip, for a member)
    name: str  # the table's own file name ("ccipra-v323r0-f1.TXT")
    member: str | None  # its path inside ``path`` when zipped
    size: int  # uncompressed bytes
    format: Literal["text", "xlsx"]

    @property
    def container(self) -> str | None:
        """The zip's file name, when the table came in one."""
        return self.path.name if self.member is not None else None

    @property
    def display(self) -> str:
        """How messages name it: ``ccipra-v323r0-f1.TXT (in medicare-...-f1.zip)``."""
        return f"{self.name} (in {self.path.name})" if self.member is not None else self.name

    @property
    def line_word(self) -> str:
        return "row" if self.format == "xlsx" else "line"

    @contextlib.contextmanager
    def open_binary(self) -> Iterator[IO[bytes]]:
        try:
            if self.member is None:
                with open(self.path, "rb") as handle:
                    yield handle
            else:
                with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as handle:
                    yield handle
        except OSError as exc:
            raise ImportFileError(
                f"{self.display} could not be read: {exc.strerror or exc}."
            ) from exc

    def head_bytes(self, size: int = 64 * 1024) -> bytes:
        with self.open_binary() as handle:
            try:
                return handle.read(size)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise _broken_zip(self.path.name) from exc

    def head_text(self, size: int = 64 * 1024) -> str:
        """The first bytes as text (decoded like the rows are); '' for a workbook."""
        if self.format != "text":
            return ""
        return "".join(decode_line(raw) for raw in self.head_bytes(size).splitlines(True))


def _broken_zip(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} is not a complete zip file (the download was probably cut short, or the "
        "file is damaged); download it again. Nothing was imported."
    )


# --------------------------------------------------------------------------- opening


def collect_files(paths: Sequence[Path], limits: ImportLimits = DEFAULT_LIMITS) -> list[InputFile]:
    """The tables in what the user picked; zips are looked into (one level).

    Refuses a file that is not what its name says (a ``.zip`` or ``.xlsx`` that is not a
    zip container, a ``.txt``/``.csv`` that is a zip or binary), a truncated zip, and
    members whose declared size or compression ratio is absurd.
    """
    if not paths:
        raise ImportFileError("No file was given to import.")
    found: list[InputFile] = []
    for raw in paths:
        path = Path(raw)
        found.extend(_open_one(path, limits))
    if len(found) > limits.max_files:
        raise ImportFileError(
            f"{len(found)} tables were given; one import reads at most {limits.max_files}."
        )
    total = sum(f.size for f in found)
    if total > limits.max_total_bytes:
        raise ImportFileError(
            f"The files hold {human_size(total)} of data; one import reads at most "
            f"{human_size(limits.max_total_bytes)}."
        )
    return found


def _open_one(path: Path, limits: ImportLimits) -> list[InputFile]:
    name = path.name
    try:
        if not path.is_file():
            raise ImportFileError(f"{name} is not a file (or does not exist).")
        size = path.stat().st_size
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ImportFileError(f"{name} could not be read: {exc.strerror or exc}.") from exc
    suffix = path.suffix.lower()
    is_zip = magic == ZIP_MAGIC or (magic[:2] == b"PK" and suffix in (".zip", *XLSX_SUFFIXES))
    if size == 0:
        raise ImportFileError(f"{name} is empty (0 bytes).")
    if suffix in XLSX_SUFFIXES:
        if not is_zip:
            raise ImportFileError(
                f"{name} is not an Excel workbook, whatever its name says (an .xlsx file is "
                "a zip container); if it is text, give it a .txt or .csv name."
            )
        if size > limits.max_xlsx_bytes:
            raise ImportFileError(
                f"{name} is {human_size(size)}; workbooks larger than "
                f"{human_size(limits.max_xlsx_bytes)} are not imported."
            )
        return [InputFile(path, name, None, size, "xlsx")]
    if is_zip and suffix in TEXT_SUFFIXES:
        raise ImportFileError(
            f"{name} is not a text file, whatever its name says (it is a zip or an Excel "
            "workbook); give it its real name (.zip or .xlsx) and import it again."
        )
    if suffix == ".zip" or is_zip:
        if not is_zip:
            raise ImportFileError(
                f"{name} is not a zip file, whatever its name says; download it again."
            )
        return _zip_members(path, limits)
    if b"\0" in magic or _looks_binary(path):
        raise ImportFileError(
            f"{name} is not a text file, whatever its name says; nothing was imported."
        )
    if size > limits.max_file_bytes:
        raise ImportFileError(
            f"{name} is {human_size(size)}; files larger than "
            f"{human_size(limits.max_file_bytes)} are not imported."
        )
    return [InputFile(path, name, None, size, "text")]


def _inner_zip(path: Path, info: zipfile.ZipInfo, limits: ImportLimits) -> list[InputFile]:
    """The tables of a zip inside ``path`` (one level), copied once to a temporary folder
    removed at exit: reading members of a compressed member in place would inflate it again
    for every seek."""
    base = info.filename.rsplit("/", 1)[-1]
    if info.file_size > limits.max_total_bytes:
        raise ImportFileError(
            f"{base} in {path.name} would unpack to {human_size(info.file_size)}; that is "
            "not a CMS download, so it was not unpacked."
        )
    target = _inner_dir() / f"{len(list(_inner_dir().iterdir()))}" / base
    target.parent.mkdir(parents=True)
    try:
        with zipfile.ZipFile(path) as archive, archive.open(info) as src, open(
                target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _broken_zip(path.name) from exc
    return _zip_members(target, limits, nested=False)


@functools.cache
def _inner_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ptcodes-zip-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _looks_binary(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16: refused with its own message when read
    return b"\0" in head


def _zip_members(path: Path, limits: ImportLimits, *, nested: bool = True) -> list[InputFile]:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _broken_zip(name) from exc
    if len(infos) > limits.max_zip_members:
        raise ImportFileError(f"{name} holds {len(infos)} files; this is not a CMS download.")
    out: list[InputFile] = []
    for info in infos:
        member = info.filename
        base = member.rsplit("/", 1)[-1]
        if info.is_dir() or not base or member.startswith(_JUNK_PREFIXES) or base.startswith(
            _JUNK_PREFIXES
        ):
            continue
        suffix = Path(base).suffix.lower()
        if suffix == ".zip" and nested:
            out.extend(_inner_zip(path, info, limits))  # CMS's MCD: a zip in the zip
            continue
        if suffix not in TEXT_SUFFIXES + XLSX_SUFFIXES:
            continue  # read-me PDFs, Word notices: not tables
        if info.flag_bits & 0x1:
            raise ImportFileError(f"{base} in {name} is password-protected; unzip it first.")
        limit = limits.max_xlsx_bytes if suffix in XLSX_SUFFIXES else limits.max_file_bytes
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limit or (info.file_size > MIB and ratio > limits.max_zip_ratio):
            raise ImportFileError(
                f"{base} in {name} would unpack to {human_size(info.file_size)} "
                f"(from {human_size(info.compress_size)}); that is not a CMS table, so it "
                "was not unpacked."
            )
        fmt: Literal["text", "xlsx"] = "xlsx" if suffix in XLSX_SUFFIXES else "text"
        out.append(InputFile(path, base, member, info.file_size, fmt))
    if not out:
        raise ImportFileError(f"{name} holds no table (.txt, .csv or .xlsx file) to import.")
    return out


# --------------------------------------------------------------------------- text


def decode_line(raw: bytes) -> str:
    """UTF-8 if the bytes are UTF-8, else Windows-1252, else Latin-1 (which never fails).

    Per line, because CMS files are ASCII with the odd 0xAE (®) in a notice line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


@dataclass
class Progress:
    """Bytes read so far across an import's files; ``tick`` reports and checks Cancel."""

    total: int = 0
    done: int = 0
    callback: Callable[[int, int], None] | None = None
    cancelled: Callable[[], bool] | None = None
    _last: int = field(default=0, repr=False)

    def advance(self, size: int) -> None:
        self.done += size
        if self.done - self._last >= 1 << 20:  # every MB: cheap enough, often enough
            self._last = self.done
            self.check()

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled("The import was cancelled; nothing was changed.")
        if self.callback is not None:
            self.callback(self.done, self.total)


def _raw_lines(file: InputFile, handle: IO[bytes], progress: Progress, max_chars: int
               ) -> Iterator[str]:
    first = True
    number = 0
    try:
        for raw in handle:
            number += 1
            progress.advance(len(raw))
            if len(raw) > max_chars:
                raise ImportFileError(
                    f"{file.display}, line {number}: longer than {max_chars:,} characters, so "
                    "this is not a table that can be imported."
                )
            if first:
                first = False
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise ImportFileError(
                        f"{file.display} is UTF-16 text (Excel's 'Unicode Text'); save it as "
                        "'CSV UTF-8' or tab-delimited text and import it again."
                    )
                if raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
            yield decode_line(raw)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportFileError(
            f"{file.display}: the zip ends or is damaged after line {number} (the download "
            "was probably cut short); download it again. Nothing was imported."
        ) from exc


def text_rows(
    file: InputFile,
    delimiter: str,
    progress: Progress | None = None,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    quoted: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each record; blank records are dropped.

    ``quoted=False`` splits on the delimiter (NCCI tab files have no quoting: several
    times faster than the csv module); else CSV rules (quoted cells, line breaks in them).
    """
    progress = progress or Progress()
    with file.open_binary() as handle:
        lines = _raw_lines(file, handle, progress, limits.max_line_chars)
        if not quoted:
            for number, line in enumerate(lines, 1):
                cells = line.rstrip("\r\n").split(delimiter)
                if any(cells):
                    yield number, cells
            return
        previous = csv.field_size_limit()
        csv.field_size_limit(limits.max_line_chars)
        try:
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise ImportFileError(
                        f"{file.display}, line {start}: not valid CSV ({exc})."
                    ) from exc
                if "".join(row).strip():
                    yield start, row
        finally:
            csv.field_size_limit(previous)


def guess_delimiter(head: str, candidates: str = "\t,;|") -> str:
    """The candidate that splits the first lines most consistently (tabs win ties)."""
    lines = [ln for ln in head.splitlines()[:30] if ln.strip()]
    best, best_score = candidates[0], -1
    for cand in candidates:
        counts = [ln.count(cand) for ln in lines]
        score = sum(1 for c in counts if c) * 10 + min(sum(counts), 1000) // 100
        if score > best_score:
            best, best_score = cand, score
    return best


# --------------------------------------------------------------------------- xlsx


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y%m%d")
    return "" if value is None else str(value)


def xlsx_rows(
    file: InputFile, progress: Progress | None = None, *, head_only: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(Excel row number, cells as text) of the workbook's largest worksheet.

    Numbers come back as Excel stores them (a code typed as 97140 is the number 97140.0):
    whole numbers are written without ".0"; dates as YYYYMMDD, like CMS's text files.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    progress = progress or Progress()
    try:
        with file.open_binary() as handle:
            data = io.BytesIO(handle.read())
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _broken_zip(file.path.name) from exc
    check_workbook(data, file.display)
    try:
        book = CalamineWorkbook.from_filelike(data)
        sheets = [book.get_sheet_by_name(n) for n in book.sheet_names]
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportFileError(
            f"{file.display} cannot be read as an Excel workbook ({exc}); open it in Excel "
            "and save it again, or import the .txt/.csv CMS ships beside it."
        ) from exc
    if not sheets:
        raise ImportFileError(f"{file.display} has no worksheet.")
    sheet = max(sheets, key=lambda s: s.height)
    offset = (sheet.start or (0, 0))[0]
    per_row = max(file.size // max(sheet.height, 1), 1)
    for index, values in enumerate(sheet.iter_rows()):
        if head_only is not None and index >= head_only:
            return
        progress.advance(per_row)
        cells = [_cell_text(v).strip() if not isinstance(v, str) else v for v in values]
        if any(c.strip() for c in cells):
            yield offset + index + 1, cells


class WorkbookBombError(ImportFileError):
    """A workbook that would unpack to far more than a spreadsheet does."""


def _unpacks_as_stated(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                       display: str) -> None:
    """Sizes that lie: reading stops at the stated size, and the CRC then fails."""
    for info in infos:
        try:
            with archive.open(info) as part:
                while part.read(MIB):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WorkbookBombError(
                f"{display} does not unpack to what its directory says (a damaged file, or "
                "a zip bomb); it was not opened.") from exc


def check_workbook(data: IO[bytes], display: str, limits: ImportLimits = DEFAULT_LIMITS) -> None:
    """Refuse a workbook whose parts would unpack to more than ``max_xlsx_unpacked``, or
    unpack far more than any spreadsheet does (a zip bomb): only the zip's directory is
    read, so a 6 MB bomb that inflates to gigabytes is refused in milliseconds."""
    try:
        with zipfile.ZipFile(data) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos)
            bomb = any(i.file_size > MIB and i.file_size / max(i.compress_size, 1)
                       > limits.max_zip_ratio for i in infos)
            if len(infos) > limits.max_zip_members or total > limits.max_xlsx_unpacked or bomb:
                raise WorkbookBombError(
                    f"{display} would unpack to {human_size(total)} (from "
                    f"{human_size(packed)}); that is not a CMS workbook, so it was not opened.")
            _unpacks_as_stated(archive, infos, display)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise _broken_zip(display) from exc
    finally:
        data.seek(0)


def rows_of(
    file: InputFile,
    progress: Progress | None = None,
    *,
    delimiter: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    quoted: bool = True,
) -> Iterator[tuple[int, list[str]]]:
    """Rows of a text table or a workbook alike (the delimiter is guessed when None)."""
    if file.format == "xlsx":
        return xlsx_rows(file, progress)
    return text_rows(
        file, delimiter or guess_delimiter(file.head_text()), progress, limits=limits,
        quoted=quoted,
    )


def head_rows(file: InputFile, count: int = 12, delimiter: str | None = None
              ) -> list[tuple[int, list[str]]]:
    """The first ``count`` records, leniently (for recognising a file); [] if unreadable."""
    if file.format == "xlsx":
        try:
            return list(xlsx_rows(file, head_only=count))
        except WorkbookBombError:
            raise  # said as it is, never as "not that table's header"
        except ImportFileError:
            return []
    text = file.head_text()
    delim = delimiter or guess_delimiter(text)
    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False)
    with contextlib.suppress(csv.Error):
        while len(out) < count:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if "".join(row).strip():
                out.append((start, row))
    return out

"""The visit being built: the one place that changes it.

Every change is a new immutable ``Visit`` pushed on a ``QUndoStack``; ``evaluate`` makes the
``VisitResult`` shown everywhere (units, modifiers, ties, warnings). The editor computes no
billing rule itself; the widgets show ``visit()``/``result()`` when ``changed`` is emitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Literal, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ptcodes_gui.catalog import Catalog
from ptcodes_gui.domain.articles import Necessity
from ptcodes_gui.domain.models import System
from ptcodes_gui.domain.profiles import PayerProfile
from ptcodes_gui.domain.rules.context import FeeLookup
from ptcodes_gui.domain.visit import (
    ASSISTANT_MODIFIER,
    DX_LETTERS,
    MAX_LINE_MINUTES,
    TELEHEALTH_MODIFIERS,
    THERAPY_MODIFIERS,
    Provider,
    Telehealth,
    Visit,
    VisitLine,
    VisitResult,
    VisitTie,
    Warning,
    evaluate,
    normalize_code,
    remove_diagnosis,
    validate_new_line,
)
from ptcodes_gui.domain.visit import add_diagnosis as add_diagnosis_to
from ptcodes_gui.ui.visit.offers import MAX_OFFERED, Choice, Offer, modifier_label
from ptcodes_gui.ui.visit.words import plural as plural  # re-exported
from ptcodes_gui.ui.visit_model import COLUMN_NAMES, MINUTES

_AUTOMATIC_MODIFIERS = frozenset(THERAPY_MODIFIERS.values())
#: Warnings whose offered codes replace the diagnosis they are about.
_REPLACES_DIAGNOSIS = frozenset(
    {"header_diagnosis", "initial_encounter_in_rehab", "unspecified_laterality"})

#: What to do when a code already on the visit is added again with minutes: add them to
#: its minutes, replace them, or leave the line alone (None).
Readd = Literal["add", "replace"] | None
AskReadd = Callable[[VisitLine, int], Readd]


class _VisitChange(QUndoCommand):
    """One change of the visit: both whole visits are kept (they are small and immutable).

    Changes with the same ``merge_key`` in a row (typing in one cell) merge into one step.
    """

    def __init__(
        self,
        editor: VisitEditor,
        before: Visit,
        after: Visit,
        text: str,
        merge_key: tuple[object, ...] | None,
    ) -> None:
        super().__init__(text)
        self._editor = editor
        self._before = before
        self._after = after
        self._merge_key = merge_key

    def id(self) -> int:
        return 1 if self._merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, _VisitChange) or other._merge_key != self._merge_key:
            return False
        self._after = other._after
        return True

    def redo(self) -> None:
        self._editor.show(self._after)

    def undo(self) -> None:
        self._editor.show(self._before)


class VisitEditor(QObject):
    """The visit, its evaluation and its undo stack.

    Signals: ``changed()`` after the visit (or its evaluation) changed; ``message(str)`` one
    sentence for the status bar; ``offer_changed()`` when the offered fix may differ;
    ``line_added(int)`` the row of a new line (its Minutes cell wants the focus);
    ``line_selected(int, int)`` row and column to select; ``refused(str)`` an entry was
    refused (the entry field selects it for retyping); ``code_added(str)`` a code went on
    the visit, however it was added (for Recent).

    ``ask_readd`` decides what a code added again with minutes does (the panel asks the
    user); per-clinic choices (profile, provider for new lines) survive ``new_visit``.
    """

    changed = Signal()
    message = Signal(str)
    offer_changed = Signal()
    line_added = Signal(int)
    line_selected = Signal(int, int)
    refused = Signal(str)
    code_added = Signal(str)

    def __init__(
        self,
        catalog: Catalog,
        profile: PayerProfile,
        parent: QObject | None = None,
        *,
        provider: Provider = "pt",
    ) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.ask_readd: AskReadd = lambda _line, _minutes: "add"
        #: the rules' fee-schedule hook for a profile (MPPR names the full-price unit)
        self.fees: Callable[[PayerProfile, date], FeeLookup | None] | None = None
        #: the catalog whose diagnoses are the ICD-10-CM release in force on a date (None:
        #: this one) and a sentence saying so; the composition sets it (icd_releases)
        self.dated: Callable[[date], tuple[Catalog | None, str]] | None = None
        #: the MAC and its coverage articles for a profile (None: not checked)
        self.necessity: Callable[[PayerProfile], Necessity | None] | None = None
        self._on = date.today()  # the date of service, a per-visit setting
        self._dated: Catalog | None = None
        self._dated_note = ""
        self._provider: Provider = provider
        self._copied: Visit | None = None
        self._undo = QUndoStack(self)
        self._visit = Visit(profile=profile)
        self._result = evaluate(self._visit, catalog)
        self._refusal: Offer | None = None
        self._current_row = -1
        self._selected_warning: Warning | None = None
        self._edit_session = 0
        self._session_edited = False

    # ------------------------------------------------------------------ state

    def visit(self) -> Visit:
        return self._visit

    def result(self) -> VisitResult:
        return self._result

    def undo_stack(self) -> QUndoStack:
        return self._undo

    def apply(
        self, visit: Visit, text: str, merge_key: tuple[object, ...] | None = None
    ) -> None:
        if visit == self._visit:
            return
        # A refusal speaks of what was typed before this change: it no longer applies.
        self._refusal = None
        self._undo.push(_VisitChange(self, self._visit, visit, text, merge_key))

    def show(self, visit: Visit) -> None:
        """Evaluate ``visit`` and tell everyone (undo, redo and every change land here)."""
        self._visit = visit
        self._result = self.evaluate(visit)
        self.changed.emit()
        self.offer_changed.emit()

    def evaluate(self, visit: Visit) -> VisitResult:
        """``visit`` under this one's fees and date of service (e.g. its billable part)."""
        fees = self.fees(visit.profile, self._on) if self.fees is not None else None
        lcd = self.necessity(visit.profile) if self.necessity is not None else None
        return evaluate(visit, self.lookup(), fees=fees, on=self._on, necessity=lcd)

    def refresh(self) -> None:
        self._use_release_on(self._on)
        self.show(self._visit)

    # ------------------------------------------------------------------ date of service

    def lookup(self) -> Catalog:
        """The catalog whose diagnoses are those in force on the date of service (its
        procedures are the same)."""
        return self._dated or self.catalog

    def service_date(self) -> date:
        return self._on

    def date_note(self) -> str:
        """Which ICD-10-CM release the diagnoses are checked against, when not the one in
        use ("" when it is)."""
        return self._dated_note

    def set_service_date(self, on: date) -> None:
        """NCCI edits (effective and deleted dates) and the ICD-10-CM release in force on
        ``on`` apply, as ``ptcodes visit --date``."""
        if on == self._on:
            return
        self._on = on
        self._use_release_on(on)
        self.show(self._visit)
        if self._dated_note:
            self.say(self._dated_note)

    def _use_release_on(self, on: date) -> None:
        found, note = self.dated(on) if self.dated is not None else (None, "")
        self._dated, self._dated_note = found, note

    def provider(self) -> Provider:
        """Who treats on new lines (a per-clinic choice, kept by New visit)."""
        return self._provider

    def set_provider(self, provider: Provider) -> None:
        """New lines are by ``provider``; the lines already there follow (undoable)."""
        self._provider = provider
        if any(line.provider != provider for line in self._visit.lines):
            lines = tuple(replace(line, provider=provider) for line in self._visit.lines)
            self.apply(replace(self._visit, lines=lines), f"Provider {provider.upper()}")

    def has_unsaved_work(self) -> bool:
        """Lines or diagnoses that were not copied since they last changed."""
        visit = self._visit
        return bool(visit.lines or visit.diagnoses) and visit != self._copied

    def mark_copied(self) -> None:
        self._copied = self._visit

    def say(self, text: str) -> None:
        self.message.emit(text)

    def set_current_row(self, row: int) -> None:
        """The selected line: a modifier typed in the entry field goes on it."""
        self._current_row = row

    def set_selected_warning(self, warning: Warning | None) -> None:
        self._selected_warning = warning
        if self._refusal is None:
            self.offer_changed.emit()

    def tie(self) -> VisitTie | None:
        return self._result.ties[0] if self._result.ties else None

    def _replace_line(self, row: int, line: VisitLine) -> Visit:
        lines = list(self._visit.lines)
        lines[row] = line
        return replace(self._visit, lines=tuple(lines))

    # ------------------------------------------------------------------ adding

    def add_code(self, text: str, minutes: int | None = None) -> bool:
        """Add a procedure line, a diagnosis or a modifier; True if added."""
        try:
            code = normalize_code(text)
        except ValueError as exc:
            self.refuse(str(exc), ())
            return False
        found = self.lookup().get(code)
        if found is None:
            near = self.lookup().suggest(code)
            choices = self.code_choices([h.code for h in near], "Add")
            self.refuse(
                f"{code} is not in the catalog."
                + (" Nearest codes are offered below." if choices else ""),
                choices,
            )
            return False
        if found.is_diagnosis:
            if minutes is not None:
                self.refuse(f"{found.code} is a diagnosis: it takes no minutes.", ())
                return False
            return self.add_diagnosis(found.code)
        if found.system == System.MODIFIER:
            return self._add_modifier(found.code)
        for row, line in enumerate(self._visit.lines):
            if line.code == found.code:
                return self._readd(row, line, minutes)
        refused = validate_new_line(found.code, self.lookup(), self._on)
        if refused:
            problem = refused[0]
            self.refuse(problem.message, self.code_choices(problem.suggestions, "Add"))
            return False
        before = set(self._result.warnings)
        line = VisitLine(
            found.code,
            minutes,
            provider=self._provider,
            dx_pointers=("A",) if self._visit.diagnoses else (),
        )
        self.clear_refusal()
        self.apply(replace(self._visit, lines=(*self._visit.lines, line)), f"Add {found.code}")
        self.code_added.emit(found.code)
        self.line_added.emit(len(self._visit.lines) - 1)
        new = [
            w for w in self._result.warnings
            if w.severity != "info" and w not in before and w.code != "missing-minutes"
        ]
        note = f" {new[0].message}" if new else ""
        self.say(f"{found.code} added ({found.title}).{note}")
        return True

    def _readd(self, row: int, line: VisitLine, minutes: int | None) -> bool:
        """A code already on the visit: never silently replace its minutes."""
        self.line_selected.emit(row, MINUTES)
        if minutes is None or minutes == 0:
            self.say(f"{line.code} is already on the visit: edit its minutes there.")
            return False
        choice = self.ask_readd(line, minutes)
        if choice is None:
            self.say(f"{line.code} left as it was.")
            return False
        old = line.minutes or 0
        new = min(old + minutes, MAX_LINE_MINUTES) if choice == "add" else minutes
        self.apply(self._replace_line(row, replace(line, minutes=new)), "Edit minutes")
        self.code_added.emit(line.code)
        how = f"{old} + {minutes} = {new}" if choice == "add" else f"{old} replaced by {new}"
        self.say(f"{line.code} was already on the visit: minutes {how}.")
        return True

    def add_diagnosis(self, code: str) -> bool:
        """Add an ICD-10-CM diagnosis (next letter); True if added. A header code is
        refused and its billable codes are offered."""
        try:
            updated, problems = add_diagnosis_to(self._visit, code, self.lookup())
        except ValueError as exc:
            self.refuse(f"{code}: {exc}", ())
            return False
        if updated is self._visit:
            problem = problems[0]
            if problem.code == "duplicate-diagnosis":
                self.say(problem.message)
                return False
            self.refuse(problem.message, self.code_choices(problem.suggestions, "Use"))
            return False
        if not self._visit.diagnoses:
            # The first diagnosis is the primary one: lines pointing nowhere point at it.
            updated = replace(
                updated,
                lines=tuple(
                    line if line.dx_pointers else replace(line, dx_pointers=("A",))
                    for line in updated.lines
                ),
            )
        self.clear_refusal()
        self.apply(updated, "Add diagnosis")
        self.code_added.emit(updated.diagnoses[-1])
        dx = self._result.diagnoses[len(updated.diagnoses) - 1]
        self.say(f"Diagnosis {dx.letter} {dx.code} added ({dx.title}).")
        return True

    def _add_modifier(self, modifier: str) -> bool:
        if modifier == "KX":
            self.set_kx(True)
            self.say("KX is on for every line.")
            return True
        if modifier in TELEHEALTH_MODIFIERS:
            self.set_telehealth(cast(Telehealth, modifier))
            self.say(f"Telehealth {modifier} is on for every line.")
            return True
        if modifier in _AUTOMATIC_MODIFIERS:
            self.say(f"{modifier} is added to the lines automatically.")
            return False
        row = self._current_row
        line = self._visit.lines[row] if 0 <= row < len(self._visit.lines) else None
        if line is None:
            self.refuse(f"{modifier} is a modifier: select a line first, then add it.", ())
            return False
        if modifier == ASSISTANT_MODIFIER:
            self.apply(self._replace_line(row, replace(line, provider="pta")), "Provider PTA")
            self.say(f"{line.code} is now by a PT assistant (CQ).")
            return True
        return self.add_line_modifier(row, modifier)

    def add_line_modifier(self, row: int, modifier: str) -> bool:
        line = self._visit.lines[row]
        if modifier in line.extra_modifiers:
            self.say(f"{line.code} already has {modifier}.")
            return False
        updated = replace(line, extra_modifiers=(*line.extra_modifiers, modifier))
        self.apply(self._replace_line(row, updated), f"Add {modifier} to {line.code}")
        self.say(f"{modifier} added to {line.code}.")
        return True

    def replace_code(self, row: int, code: str) -> bool:
        refused = validate_new_line(code, self.lookup(), self._on)
        if refused or not 0 <= row < len(self._visit.lines):
            if refused:
                self.refuse(refused[0].message, ())
            return False
        old = self._visit.lines[row]
        self.apply(
            self._replace_line(row, replace(old, code=code, tie_preferred=False)),
            f"Replace {old.code} with {code}",
        )
        self.say(f"{old.code} replaced by {code}.")
        return True

    def replace_diagnosis(self, old: str, new: str) -> bool:
        if old not in self._visit.diagnoses:
            return False
        refused = add_diagnosis_to(replace(self._visit, diagnoses=()), new, self.lookup())[1]
        if refused:
            self.refuse(refused[0].message, self.code_choices(refused[0].suggestions, "Use"))
            return False
        diagnoses = tuple(new if d == old else d for d in self._visit.diagnoses)
        self.apply(replace(self._visit, diagnoses=diagnoses), f"Use {new}")
        self.say(f"{old} replaced by {new}.")
        return True

    # ------------------------------------------------------------------ editing

    def edit_line(self, row: int, line: VisitLine, col: int) -> None:
        """A cell edit; keystrokes in one editor session merge into one undo step."""
        what = COLUMN_NAMES[col].lower()
        self.apply(
            self._replace_line(row, line),
            f"Edit {what} of {line.code}",
            merge_key=("cell", self._edit_session, row, col),
        )
        self._session_edited = True

    def end_edit(self, reverted: bool) -> None:
        """An inline editor closed; Esc (``reverted``) takes its edit back."""
        if reverted and self._session_edited:
            self._undo.undo()
        self._edit_session += 1  # the next edit is a new undo step
        self._session_edited = False

    def remove_line(self, row: int) -> bool:
        if not 0 <= row < len(self._visit.lines):
            return False
        code = self._visit.lines[row].code
        lines = self._visit.lines[:row] + self._visit.lines[row + 1 :]
        self.apply(replace(self._visit, lines=lines), f"Remove {code}")
        if lines:
            self.line_selected.emit(min(row, len(lines) - 1), MINUTES)
        self.say(f"{code} removed (Ctrl+Z brings it back).")
        return True

    def remove_diagnosis(self, row: int) -> bool:
        if not 0 <= row < len(self._visit.diagnoses):
            return False
        code = self._visit.diagnoses[row]
        self.apply(remove_diagnosis(self._visit, row), f"Remove {code}")
        self.say(f"Diagnosis {code} removed; the letters after it moved up.")
        return True

    def move_diagnosis_up(self, row: int) -> bool:
        if not 0 < row < len(self._visit.diagnoses):
            return False
        dx = list(self._visit.diagnoses)
        dx[row - 1], dx[row] = dx[row], dx[row - 1]
        # Pointers follow their diagnosis to its new letter.
        above, here = DX_LETTERS[row - 1], DX_LETTERS[row]
        letters = {above: here, here: above}
        lines = tuple(
            replace(line, dx_pointers=tuple(letters.get(p, p) for p in line.dx_pointers))
            for line in self._visit.lines
        )
        self.apply(replace(self._visit, diagnoses=tuple(dx), lines=lines), "Move diagnosis")
        return True

    def choose_tie(self, line_indices: Sequence[int]) -> bool:
        """Give the tied unit(s) of the current tie to ``line_indices``."""
        tie = self.tie()
        if tie is None or len(line_indices) != tie.units:
            return False
        if not set(line_indices) <= set(tie.line_indices):
            return False
        chosen = set(line_indices)
        lines = tuple(
            replace(line, tie_preferred=i in chosen) if i in tie.line_indices else line
            for i, line in enumerate(self._visit.lines)
        )
        codes = " + ".join(self._visit.lines[i].code for i in line_indices)
        self.apply(replace(self._visit, lines=lines), "Choose the tied unit")
        self.say(f"The tied unit goes to {codes}.")
        return True

    def set_profile(self, profile: PayerProfile) -> None:
        self.apply(replace(self._visit, profile=profile), "Change payer")

    def set_telehealth(self, value: Telehealth | None) -> None:
        self.apply(replace(self._visit, telehealth=value), "Telehealth")

    def set_ytd(self, amount: Decimal | None) -> None:
        self.apply(replace(self._visit, ytd_allowed=amount), "Year-to-date amount")

    def set_kx(self, on: bool) -> None:
        self.apply(replace(self._visit, kx=on), "KX on" if on else "KX off")

    def set_lines(self, lines: Sequence[VisitLine], text: str) -> None:
        self.clear_refusal()
        self.apply(replace(self._visit, lines=tuple(lines)), text)

    def clear_visit(self) -> None:
        """Start a new visit (undoable): lines, diagnoses, KX, telehealth, ties and units set
        by hand go, the date of service is today again; the per-clinic choices (payer
        profile, provider) stay."""
        fresh = Visit(profile=self._visit.profile)
        if self._on != date.today():  # the date of service is per visit too
            self._on = date.today()
            self._use_release_on(self._on)
            if self._visit == fresh:
                self.show(fresh)
        if self._visit != fresh:
            self.apply(fresh, "New visit")
            self.say("New visit (Ctrl+Z brings the last one back).")

    # ------------------------------------------------------------------ offers

    def code_choices(self, codes: Sequence[str], verb: str) -> tuple[Choice, ...]:
        choices: list[Choice] = []
        for code in list(codes)[:MAX_OFFERED]:
            found = self.lookup().get(code)
            title = f" {found.title}" if found and found.title else ""
            header = " (header)" if found and found.is_diagnosis and not found.billable else ""
            choices.append(Choice(f"{verb} {code}{title}{header}", partial(self.add_code, code)))
        return tuple(choices)

    def refuse(self, text: str, choices: tuple[Choice, ...]) -> None:
        self._refusal = Offer(text, choices, sticky=True)
        self.offer_changed.emit()
        self.refused.emit(text)
        self.say(text)

    def clear_refusal(self) -> None:
        if self._refusal is not None:
            self._refusal = None
            self.offer_changed.emit()

    def offer(self) -> Offer | None:
        """The refusal's offer, else the selected warning's fix, else the first fix."""
        if self._refusal is not None:
            return self._refusal
        selected = self._selected_warning
        if selected is not None and selected in self._result.warnings and selected.suggestions:
            return self._warning_offer(selected)
        for warning in self._result.warnings:
            if warning.suggestions:
                return self._warning_offer(warning)
        return None

    def use_choice(self, offer: Offer, index: int) -> bool:
        if not 0 <= index < len(offer.choices):
            return False
        if offer.sticky:
            self._refusal = None
        done = offer.choices[index].apply()
        self.offer_changed.emit()
        return done

    def _warning_offer(self, warning: Warning) -> Offer:
        row = warning.line
        line = self._visit.lines[row] if row is not None and row < len(self._visit.lines) else None
        choices = [
            self._warning_choice(warning, suggestion, row, line)
            for suggestion in list(warning.suggestions)[:MAX_OFFERED]
        ]
        about = line.code if line is not None else (warning.codes[0] if warning.codes else "")
        head = ("NCCI pair: a distinct-service modifier on"
                if warning.code.replace("-", "_") == "ncci_pair" else "Suggested for")
        return Offer(f"{head} {about}".strip(), tuple(choices), sticky=False)

    def _warning_choice(
        self, warning: Warning, suggestion: str, row: int | None, line: VisitLine | None
    ) -> Choice:
        found = self.lookup().get(suggestion)
        is_modifier = found is not None and found.system == System.MODIFIER
        kind = warning.code.replace("-", "_")
        if line is not None and row is not None and (is_modifier or len(suggestion) == 2):
            return Choice(
                modifier_label(suggestion, line.code),
                partial(self.add_line_modifier, row, suggestion),
            )
        if line is not None and row is not None and (
            kind == "deleted_code" or kind.startswith("medicare_use_")
        ):
            return Choice(
                f"Replace {line.code} with {suggestion}",
                partial(self.replace_code, row, suggestion),
            )
        if kind in _REPLACES_DIAGNOSIS and warning.codes:
            return Choice(
                f"Use {suggestion} for {warning.codes[0]}",
                partial(self.replace_diagnosis, warning.codes[0], suggestion),
            )
        title = f" {found.title}" if found and found.title else ""
        return Choice(f"Add {suggestion}{title}", partial(self.add_code, suggestion))

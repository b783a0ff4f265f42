"""Wires the coverage articles into the window: the visit's necessity check (the profile's
MAC), the payer bar's MAC chooser, and the detail pane's "supported under your MAC" part."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ptcodes_gui.domain.articles import ArticleView
from ptcodes_gui.domain.models import Code, System
from ptcodes_gui.domain.profiles import PayerProfile

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from ptcodes_gui.session import Session


def article_view(session: Session, profile: PayerProfile, code: Code) -> ArticleView | None:
    """What the imported articles of ``profile``'s MAC say about ``code`` (None: nothing)."""
    necessity = session.necessity(profile)
    if necessity is None or code.system not in (System.CPT, System.HCPCS, System.ICD10CM):
        return None
    if code.system == System.ICD10CM:
        supported = necessity.lookup.codes_supported(code.code, necessity.mac)
        return ArticleView(necessity.label, (), tuple(supported))
    return ArticleView(necessity.label, tuple(necessity.lookup.code_coverage(
        code.code, necessity.mac)), ())


def install_coverage(window: QMainWindow, session: Session) -> None:
    panel = getattr(window, "visit_panel", None)
    if panel is not None:
        panel.editor.necessity = session.necessity

        def macs() -> list[tuple[str, str]]:
            articles = session.articles()
            return articles.macs() if articles is not None else []

        panel.payer.mac_combo.macs = macs
        panel.refresh()
        window.article_view = lambda code: article_view(  # type: ignore[attr-defined]
            session, panel.visit().profile, code)

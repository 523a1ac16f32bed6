"""Answering the questionnaire: the agent's pages and the rules behind them.

- `saving`: the wave's state, optimistic locking, the one write path of a page;
- `rosters`: adding and removing sheets, taking over last edition's;
- `prefill`: last edition's answers offered on each page, those left out and why, and the
  page confirmed as it was in one action;
- `review`: what is missing or implausible, for the overview and the review page;
- `display`: stored answers as people read them;
- `submission`: sending the response, with the receipt e-mail;
- `paradata`: time spent per section and last save, for the follow-up's funnel;
- `forms`, `views`, `urls`: the pages themselves (under /repondre/).

The names below are the package's public interface, used by the views, the back-office and the
tests.
"""

from surveys.filling.display import answer_sheet, display_answer
from surveys.filling.paradata import record_save, record_view
from surveys.filling.prefill import (
    LeftOut,
    Prefill,
    left_out_shown,
    prefill_for,
    unchanged_data,
    unchanged_offer,
)
from surveys.filling.previous import previous_response
from surveys.filling.review import (
    IncompleteResponse,
    Missing,
    Review,
    SectionState,
    Warning,
    left_incomplete,
    review,
    warnings_for,
)
from surveys.filling.rosters import (
    add_roster_item,
    copy_previous_roster,
    remove_roster_item,
    roster_item_exists,
    roster_offer,
    roster_offers,
)
from surveys.filling.saving import (
    EDITABLE,
    FillingError,
    NotEditable,
    StaleVersion,
    WaveClosed,
    check_can_save,
    clock,
    response_for,
    save_section,
    visible_sections,
    wave_problem,
)
from surveys.filling.submission import already_confirmed, remember_confirmations, submit_response

__all__ = [
    "EDITABLE",
    "FillingError",
    "IncompleteResponse",
    "Missing",
    "NotEditable",
    "Review",
    "SectionState",
    "StaleVersion",
    "WaveClosed",
    "Warning",
    "add_roster_item",
    "already_confirmed",
    "answer_sheet",
    "check_can_save",
    "clock",
    "copy_previous_roster",
    "left_incomplete",
    "display_answer",
    "prefill_for",
    "LeftOut",
    "Prefill",
    "left_out_shown",
    "unchanged_data",
    "unchanged_offer",
    "previous_response",
    "record_save",
    "record_view",
    "remember_confirmations",
    "remove_roster_item",
    "response_for",
    "review",
    "roster_item_exists",
    "roster_offer",
    "roster_offers",
    "save_section",
    "submit_response",
    "visible_sections",
    "wave_problem",
    "warnings_for",
]

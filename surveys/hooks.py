"""What the questionnaire and the answering announce to the layers above them.

The answering never imports the back-office or the results: it calls these registries, which
those apps fill in their `AppConfig.ready()` (as pretix's signals do for its plugins).

- `answers_changing`: context managers entered around every write of a response's answers
  (the back-office keeps its audit trail, the results their counts);
- `status_changing`: the same around a change of a response's status (submission, reopening);
- `agent_notices`: what the back-office wants the agent to read about a response (the open
  flags, each with its conversation: `question`, `body`, `messages`, `pk`);
- `agent_corrections`: the staff corrections of the response's answers, with their reason;
- `agent_reply`: the agent's reply to a flag, handed to the back-office, which keeps the
  conversation (`send(response, thread=<id>, body=<text>, contact=<Contact>)` returns the
  thread, None when the response has no such open flag; raises ValidationError on bad text);
- `responses_loaded`: sent after responses were written in bulk (seed, import), so that the
  results rebuild their counts for the edition;
- `definition_changed`: sent after an import changed an edition's definition (labels, choices,
  rules), so that the results compute its figures again;
- `response_submitted`: sent once an agent's submission is saved (staff steps leave their own
  `ResponseEvent`), e.g. for the API's webhooks;
- `edition_published`: sent inside the transaction that publishes an edition's results, with
  the publication's number (1 the first time) and the staff member who published (None when
  automatic), e.g. for the results' e-mails to respondents and the frozen published figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from django.dispatch import Signal

Watcher = Callable[..., AbstractContextManager[Any]]


class Watchers:
    """Context managers registered by upper layers, entered in order around one change."""

    def __init__(self) -> None:
        self._watchers: list[Watcher] = []

    def connect(self, watcher: Watcher) -> Watcher:
        if watcher not in self._watchers:
            self._watchers.append(watcher)
        return watcher

    @contextmanager
    def around(self, response: Any, **kwargs: Any) -> Iterator[None]:
        with ExitStack() as stack:
            for watcher in self._watchers:
                stack.enter_context(watcher(response, **kwargs))
            yield


class Providers:
    """Functions registered by upper layers; `collect` concatenates what they return."""

    def __init__(self) -> None:
        self._providers: list[Callable[[Any], list[Any]]] = []

    def connect(self, provider: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, response: Any) -> list[Any]:
        return [item for provider in self._providers for item in provider(response)]


class Handlers:
    """Functions registered by upper layers; `send` returns the first answer that is not None."""

    def __init__(self) -> None:
        self._handlers: list[Callable[..., Any]] = []

    def connect(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def send(self, response: Any, **kwargs: Any) -> Any:
        for handler in self._handlers:
            answer = handler(response, **kwargs)
            if answer is not None:
                return answer
        return None


answers_changing = Watchers()
status_changing = Watchers()
agent_notices = Providers()
agent_corrections = Providers()
agent_reply = Handlers()
# send(sender=Edition, edition=edition)
responses_loaded = Signal()
# send(sender=Response, response=response)
response_submitted = Signal()
# send(sender=Edition, edition=edition), on commit of the import that changed it
definition_changed = Signal()
# send(sender=Edition, edition=edition, publication=n, by=user or None): inside the publishing
# transaction.
edition_published = Signal()

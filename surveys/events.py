"""Events of the answering layer for the apps above it (connected in their AppConfig.ready()).

Staff review steps already leave a `ResponseEvent` row and edition changes an `EditionEvent`;
an agent's submission leaves none, so it is announced here.
"""

from django.dispatch import Signal

# Sent after an agent's submission is committed to the response; kwargs: response.
response_submitted = Signal()

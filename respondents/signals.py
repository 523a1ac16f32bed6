"""What the referential announces to the layers above it (connected in their `ready()`)."""

from django.dispatch import Signal

# A collectivité's type, population or région changed: whatever is classified by them (the
# results' cells) must be recounted. send(sender=Collectivite)
referential_changed = Signal()

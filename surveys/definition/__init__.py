"""Definition files of an edition (YAML), in the format documented in `editions/README.md`.

`loader` reads a file and `checks` turns it into a plain *definition* or a `DefinitionError`
listing every problem with its line; `sync` imports a definition into the database, `dump`
exports an edition and writes it back as YAML, and `evolution` prepares the next edition and
refuses the definition changes that answers already given forbid.
"""

from surveys.definition.dump import dump_definition, export_definition
from surveys.definition.format import NUMBER_TYPES, TYPES, TYPES_WITH_CHOICES, DefinitionError
from surveys.definition.loader import load_definition
from surveys.definition.sync import import_definition

__all__ = [
    "TYPES_WITH_CHOICES",
    "NUMBER_TYPES",
    "TYPES",
    "DefinitionError",
    "dump_definition",
    "export_definition",
    "import_definition",
    "load_definition",
]

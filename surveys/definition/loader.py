"""Reading a definition file: YAML that remembers its lines, then the checker.

PyYAML forgets where each value came from; this loader keeps the line of every mapping,
sequence and key so that an error names the line to fix, and it refuses repeated keys.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from surveys.definition.checks import Checker
from surveys.definition.format import DefinitionError, Mapping, Sequence

# --- YAML with line numbers ---------------------------------------------------------------


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader whose mappings and sequences remember their lines (1-based)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError as exc:
            raise _DuplicateKey(None, None, "clé invalide", key_node.start_mark) from exc
        if duplicate:
            raise _DuplicateKey(None, None, f"clé « {key} » répétée", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Sequence:
    sequence = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


# --- Loading and checking -----------------------------------------------------------------


def load_definition(source: str | Path, text: str | None = None) -> dict:
    """Read and check a definition file; `text` replaces reading `source` (then only a name)."""
    name = str(source)
    if text is None:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise DefinitionError([f"{name} : lecture impossible ({exc.strerror})."]) from exc
        except UnicodeDecodeError as exc:
            raise DefinitionError([f"{name} : le fichier n'est pas en UTF-8."]) from exc
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or exc.context or "syntaxe invalide"
        raise DefinitionError([f"{name}, ligne {line} : YAML invalide : {problem}."]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([f"{name} : YAML invalide ({exc})."]) from exc
    return Checker(name).check(data)

"""Export speed against the bare writers on the same cells (issue 19); see bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/barometre_exportspeed \\
        .venv/bin/python bench/export_speed.py --respondents 36000 --rounds 2 --peer-rounds 1

Imports the 2021 edition and seeds N synthetic respondents (`seed_demo`) if needed, writes once
the cells of the export (every sheet, texts neutralised) to a pickle, then runs in interleaved
rounds, each contestant in a fresh subprocess with production's settings (`DEBUG=0`) that times
only its own work in CPU seconds (user + system of the process: other sessions load the
machine, wall time says little):

- `export_xlsx`, `export_csv`: `exports.services.jobs.export_responses` as the worker runs it
  (database reads included; the CPU of the PostgreSQL backend that served it is reported apart);
- `bare_xlsx`: XlsxWriter constant_memory, one typed call per cell, from the pickled cells,
  without any format (dates excepted);
- `bare_xlsx_formats`: the same typed calls with the formats that the export puts on the same
  cells (a number column's integer or euro format, the bold header, the column widths);
- `bare_csv`: the csv module's `writerows` on the pickled cells of Réponses;
- `formpack_xlsx`, `formpack_csv`: Kobo's exporter (formpack) on the same questions and answers,
  as an XLSForm and its submissions, when `--formpack-python` points to a Python where
  `import formpack` works (a separate virtualenv: never a dependency of the project).

Then peak RSS of the export at a quarter and half of the respondents (all of them: the rounds).
"""

import argparse
import json
import os
import pickle
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FORMPACK_PYTHON = "/work/tmp-exportspeed/venv/bin/python"
# Production's settings (README, « Configuration »): DEBUG off (no SQL kept per query), cache on
# Redis. Set in the parent, inherited by every child.
PRODUCTION_LIKE = {
    "DJANGO_SETTINGS_MODULE": "barometre.settings",
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "localhost",
    "CACHE_URL": "redis://127.0.0.1:6379/5",
}


def setup_django() -> None:
    for name, value in PRODUCTION_LIKE.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def limit_to(count: int) -> None:
    """The exporter's responses cut to their first `count` (scaling runs)."""
    from exports.services.exporters import ResponsesExporter

    every = ResponsesExporter.response_ids.fget
    ResponsesExporter.response_ids = property(lambda self: every(self)[:count])  # type: ignore[method-assign, assignment]


def backend_cpu_s(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend `pid` (same machine), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_export(fmt: str, output: str, count: int) -> dict:
    setup_django()
    from django.db import connection

    from exports.services.jobs import export_responses
    from surveys.models import Edition

    limit_to(count)
    edition = Edition.objects.get(year=2021)
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    before_backend = backend_cpu_s(backend) if backend else 0.0
    wall, cpu = time.perf_counter(), cpu_s()
    rows = export_responses(edition, fmt, output, labels=True)
    result = {
        "rows": rows,
        "cpu_s": round(cpu_s() - cpu, 2),
        "wall_s": round(time.perf_counter() - wall, 2),
        "peak_rss_mb": round(peak_mb(), 1),
    }
    if backend:
        result["postgresql_cpu_s"] = round(backend_cpu_s(backend) - before_backend, 2)
    return result


def child_materialise(directory: str, count: int) -> dict:
    """Every sheet's header and rows (texts neutralised as the export does), pickled; and the
    same answers as an XLSForm with its submissions, for formpack."""
    setup_django()
    from exports.services.exporters import ResponsesExporter
    from exports.services.layout import EURO
    from exports.services.writers import neutralise
    from surveys.models import Edition

    limit_to(count)
    exporter = ResponsesExporter(Edition.objects.get(year=2021), labels=True)
    sheets = []
    for sheet in exporter.sheets():
        rows = [
            [neutralise(v) if type(v) is str else v for v in row]
            for row in exporter.iterate_sheet(sheet.identifier)
        ]
        # Each column's format as `writers.write_xlsx` gives it: "euro", "integer" (numbers),
        # "datetime" (a width only: dates always have their format) or None.
        kinds = [
            "euro" if c.unit == EURO else c.kind if c.kind in ("integer", "datetime") else None
            for c in sheet.columns
        ]
        sheets.append((sheet.title, [c.name for c in sheet.columns], rows, kinds))
    with open(os.path.join(directory, "cells.pickle"), "wb") as stream:
        pickle.dump(sheets, stream, protocol=pickle.HIGHEST_PROTOCOL)
    xlsform(exporter, directory)
    cells = sum(len(header) * (len(rows) + 1) for _title, header, rows, _kinds in sheets)
    return {"cells": cells, "reponses_cells": len(sheets[0][1]) * (len(sheets[0][2]) + 1)}


def xlsform(exporter, directory: str) -> None:
    """The Réponses questions as an XLSForm (formpack's input) and each response as a
    submission (a text per field, as Kobo stores them): codes as stored, several choices
    separated by spaces, a matrix as one select_one per row, a ranking as one integer per item."""
    from exports.services.exporters import batched
    from exports.services.response_rows import read_records
    from surveys.models import Question

    T = Question.Type
    survey = [
        {"type": "text", "name": name, "label": name}
        for name in ("collectivite", "code_insee", "siren", "type_collectivite")
    ] + [{"type": "integer", "name": "population", "label": "population"}]
    choices = []
    fillers = []  # (question pk, function(value, other) -> {name: text})
    for block in exporter.layout.top_blocks:
        question = block.question
        code, label = question.code, question.text
        listed = f"l_{code}"
        if question.choices.exists() and question.type in (T.SINGLE, T.MULTIPLE, T.MATRIX):
            choices += [{"list_name": listed, "name": c, "label": lab} for c, lab in block.choices]
        if question.type == T.SINGLE:
            survey.append({"type": f"select_one {listed}", "name": code, "label": label})
            fillers.append((question.pk, lambda v, o, c=code: {c: v}))
        elif question.type == T.MULTIPLE:
            survey.append({"type": f"select_multiple {listed}", "name": code, "label": label})
            fillers.append((question.pk, lambda v, o, c=code: {c: " ".join(v or ())}))
        elif question.type == T.MATRIX:
            for row, row_label in block.rows:
                survey.append(
                    {"type": f"select_one {listed}", "name": f"{code}_{row}", "label": row_label}
                )
            fillers.append(
                (question.pk, lambda v, o, c=code: {f"{c}_{r}": x for r, x in (v or {}).items()})
            )
        elif question.type == T.RANKING:
            for item, item_label in block.choices:
                survey.append({"type": "integer", "name": f"{code}_{item}", "label": item_label})
            fillers.append(
                (question.pk, lambda v, o, c=code: {f"{c}_{i}": r for i, r in (v or {}).items()})
            )
        else:
            kind = {T.INTEGER: "integer", T.ROSTER: "integer", T.DECIMAL: "decimal"}.get(
                question.type, "decimal" if question.type == T.MONEY else "text"
            )
            survey.append({"type": kind, "name": code, "label": label})
            fillers.append((question.pk, lambda v, o, c=code: {c: v}))
        if block.other_choices:
            survey.append({"type": "text", "name": f"{code}_autre", "label": "précisez"})
    others = [b.question.pk for b in exporter.layout.top_blocks if b.other_choices]
    keys = [("value", pk, None) for pk, _filler in fillers] + [("other", pk, None) for pk in others]
    with open(os.path.join(directory, "submissions.jsonl"), "w", encoding="utf-8") as stream:
        for batch in batched(exporter.response_ids, 2000):
            for record in read_records(batch, keys, with_answers=True):
                submission = {
                    "collectivite": record.name,
                    "code_insee": record.code,
                    "siren": record.siren,
                    "type_collectivite": record.kind,
                    "population": record.population,
                }
                texts = [json.loads(part) if part else None for part in record.parts]
                for (_pk, filler), value in zip(fillers, texts, strict=False):
                    if value is not None:
                        submission.update(filler(value, ""))
                for pk, text in zip(others, texts[len(fillers) :], strict=True):
                    submission[f"{exporter.layout.codes_by_id[pk]}_autre"] = text
                # As Kobo stores them: texts, and the form's version.
                submission = {k: str(v) for k, v in submission.items() if v not in (None, "")}
                submission["__version__"] = "v1"
                stream.write(json.dumps(submission, ensure_ascii=False) + "\n")
    schema = {"content": {"survey": survey, "choices": choices}, "version": "v1"}
    with open(os.path.join(directory, "xlsform.json"), "w", encoding="utf-8") as stream:
        json.dump(schema, stream, ensure_ascii=False)


def load_sheets(directory: str):
    with open(os.path.join(directory, "cells.pickle"), "rb") as stream:
        return pickle.load(stream)  # noqa: S301 — our own file, written by child_materialise


def bare_xlsx(directory: str, output: str) -> dict:
    import xlsxwriter

    sheets = load_sheets(directory)
    cpu = cpu_s()
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for title, header, rows, _kinds in sheets:
        worksheet = workbook.add_worksheet(title)
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, header)
        write_string, write_number = worksheet.write_string, worksheet.write_number
        write_datetime = worksheet.write_datetime
        for index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    write_string(index, col, value)
                elif kind is int or kind is float:
                    write_number(index, col, value)
                elif value is not None:
                    write_datetime(index, col, value, date_format)
    workbook.close()
    return {"cpu_s": round(cpu_s() - cpu, 2), "peak_rss_mb": round(peak_mb(), 1)}


def bare_xlsx_formats(directory: str, output: str) -> dict:
    """`bare_xlsx` with the formats that the export puts on the same cells: a number gets its
    column's format (integer `0`, euros), the header is bold, date and euro columns widened;
    and, like the export, no empty text cell: the same file as the export, creation date aside."""
    import xlsxwriter

    sheets = load_sheets(directory)
    cpu = cpu_s()
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    header_format = workbook.add_format({"bold": True, "text_wrap": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    by_kind = {
        "integer": workbook.add_format({"num_format": "0"}),
        "euro": workbook.add_format({"num_format": '#,##0.00 "€"'}),
    }
    widths = {"datetime": 19, "euro": 14}
    for title, header, rows, kinds in sheets:
        worksheet = workbook.add_worksheet(title)
        worksheet.freeze_panes(1, 0)
        for col, kind in enumerate(kinds):
            if kind in widths:
                worksheet.set_column(col, col, widths[kind])
        worksheet.write_row(0, 0, header, header_format)
        formats = [by_kind.get(kind) for kind in kinds]
        write_string, write_number = worksheet.write_string, worksheet.write_number
        write_datetime = worksheet.write_datetime
        for index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    if value:
                        write_string(index, col, value)
                elif kind is int or kind is float:
                    write_number(index, col, value, formats[col])
                elif value is not None:
                    write_datetime(index, col, value, date_format)
    workbook.close()
    return {"cpu_s": round(cpu_s() - cpu, 2), "peak_rss_mb": round(peak_mb(), 1)}


def bare_csv(directory: str, output: str) -> dict:
    import csv

    _title, header, rows, _kinds = load_sheets(directory)[0]
    cpu = cpu_s()
    with open(output, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return {"cpu_s": round(cpu_s() - cpu, 2), "peak_rss_mb": round(peak_mb(), 1)}


# Run by the formpack virtualenv's Python (no Django there): argv = directory, format, output.
FORMPACK_CHILD = """
import json, resource, sys
from formpack import FormPack
directory, fmt, output = sys.argv[1:4]
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
schema = json.load(open(directory + "/xlsform.json", encoding="utf-8"))
lines = open(directory + "/submissions.jsonl", encoding="utf-8")
submissions = [json.loads(line) for line in lines]
start = cpu()
export = FormPack([schema], "Réponses").export(multiple_select="both", xls_types_as_text=False)
if fmt == "xlsx":
    export.to_xlsx(output, submissions)
else:
    with open(output, "w", encoding="utf-8") as stream:
        for line in export.to_csv(submissions):
            stream.write(line + "\\n")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cpu_s": round(cpu() - start, 2), "peak_rss_mb": round(peak, 1)}))
"""


def run_child(*args: str, python: str = sys.executable, script: str | None = None) -> dict:
    command = [python, "-c", script, *args] if script else [python, __file__, *args]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def formpack_available(python: str) -> bool:
    if not python or not os.path.exists(python):
        return False
    return subprocess.run([python, "-c", "import formpack"], capture_output=True).returncode == 0


def prepare(respondents: int) -> None:
    setup_django()
    from django.core.management import call_command

    from surveys.models import Edition, Response

    if not Edition.objects.filter(year=2021).exists():
        call_command("import_edition", str(ROOT / "editions" / "2021.yaml"))
    edition = Edition.objects.get(year=2021)
    if Response.objects.filter(edition=edition).count() != respondents:
        print(f"seed_demo --edition 2021 --respondents {respondents} …", flush=True)
        call_command("seed_demo", edition=2021, respondents=respondents, seed=2021, status="mixed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=36000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--peer-rounds", type=int, default=1, help="rounds run by formpack")
    parser.add_argument("--formpack-python", default=FORMPACK_PYTHON)
    parser.add_argument("--no-scaling", action="store_true", help="skip the runs at N/4, N/2")
    parser.add_argument(
        "--formats",
        default="xlsx,csv",
        help="the formats measured (xlsx, csv or both): csv alone allows many quick rounds",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child = options.child
        if child.startswith("export_"):
            result = child_export(child.removeprefix("export_"), options.output, options.count)
        elif child == "materialise":
            result = child_materialise(options.directory, options.count)
        else:
            bare = {
                "bare_xlsx": bare_xlsx, "bare_xlsx_formats": bare_xlsx_formats,
                "bare_csv": bare_csv,
            }  # fmt: skip
            result = bare[child](options.directory, options.output)
        print(json.dumps(result))
        return

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Attention : DATABASE_URL ne désigne pas PostgreSQL ; le banc est prévu pour lui.")
    count = options.respondents
    prepare(count)
    peer = formpack_available(options.formpack_python)
    if not peer:
        print(f"formpack absent ({options.formpack_python}) : pas de mesure du pair.", flush=True)
    formats = options.formats.split(",")
    contestants = [
        name
        for name in ("export_xlsx", "bare_xlsx", "bare_xlsx_formats", "export_csv", "bare_csv")
        if name.split("_")[1] in formats
    ]
    if peer and options.peer_rounds > 0:
        contestants += [f"formpack_{fmt}" for fmt in ("xlsx", "csv") if fmt in formats]
    runs: dict[str, list[dict]] = {name: [] for name in contestants}
    with tempfile.TemporaryDirectory(prefix="export-speed-") as directory:
        shape = run_child("--child", "materialise", "--directory", directory, "--count", str(count))
        print(json.dumps(shape), flush=True)
        peer_rounds = min(options.peer_rounds, options.rounds)
        for round_number in range(options.rounds):
            for name in contestants:
                # The peer in the last rounds: the ratios come first on a busy machine.
                if name.startswith("formpack_") and round_number < options.rounds - peer_rounds:
                    continue
                fmt = "xlsx" if "_xlsx" in name else "csv"
                output = os.path.join(directory, f"{name}.{fmt}")
                if name.startswith("formpack_"):
                    result = run_child(
                        directory, fmt, output,
                        python=options.formpack_python, script=FORMPACK_CHILD,
                    )  # fmt: skip
                else:
                    result = run_child(
                        "--child", name, "--directory", directory, "--output", output,
                        "--count", str(count),
                    )  # fmt: skip
                # Same cells, roughly the same bytes: each output's size is given.
                result["output_mb"] = round(os.path.getsize(output) / 1e6, 1)
                runs[name].append(result)
                print(round_number + 1, name, json.dumps(result), flush=True)
        scaling = {}
        if not options.no_scaling:
            # All of them: the rounds above.
            for part in (count // 4, count // 2):
                for fmt in formats:
                    output = os.path.join(directory, f"scale.{fmt}")
                    result = run_child(
                        "--child", f"export_{fmt}", "--output", output, "--count", str(part)
                    )
                    scaling[f"{fmt} {part}"] = result
                    print("scaling", fmt, part, json.dumps(result), flush=True)
    median = {
        name: statistics.median(r["cpu_s"] for r in results) for name, results in runs.items()
    }

    def paired(export: str, bare: str) -> float:
        """The median of each round's ratio: the two ran one after the other, so a machine
        whose speed drifts between rounds (other sessions) moves both."""
        ratios = [e["cpu_s"] / b["cpu_s"] for e, b in zip(runs[export], runs[bare], strict=True)]
        return round(statistics.median(ratios), 3)

    report: dict = {"respondents": count, "shape": shape, "median_cpu_s": median}
    pairs = {
        "xlsx_ratio": ("export_xlsx", "bare_xlsx"),
        "xlsx_ratio_same_formats": ("export_xlsx", "bare_xlsx_formats"),
        "csv_ratio": ("export_csv", "bare_csv"),
    }
    for key, (export, bare) in pairs.items():
        if export in runs:
            report[key] = round(median[export] / median[bare], 3)
            report[f"{key}_paired"] = paired(export, bare)
    report |= {
        "median_postgresql_cpu_s": {
            name: statistics.median(r.get("postgresql_cpu_s", 0) for r in runs[name])
            for name in ("export_xlsx", "export_csv")
            if name in runs
        },
        "peak_rss_mb": {name: max(r["peak_rss_mb"] for r in runs[name]) for name in runs},
        "scaling": scaling,
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
    }
    for fmt in formats:
        if f"formpack_{fmt}" in median:
            report[f"formpack_{fmt}_vs_export"] = round(
                median[f"formpack_{fmt}"] / median[f"export_{fmt}"], 2
            )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

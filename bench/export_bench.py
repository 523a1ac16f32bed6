"""Benchmark of the XLSX export at census scale (issue 7); see bench/README.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/baro_exports \
        .venv/bin/python bench/export_bench.py --respondents 36000

Imports the 2021 edition if needed, seeds N synthetic respondents with `seed_demo` (unless the
edition already has exactly N), then, each in a fresh subprocess so that peak memory is its own:
1. the XLSX export as the platform runs it (wall time, CPU time, ru_maxrss, tracemalloc peak of a
   second, traced run is not taken: tracing slows the code several times);
2. the same cells materialised in a list, then written by the bare writers from memory:
   XlsxWriter constant_memory (`write_row`) and openpyxl write-only with lxml (`append`).
The overhead of our code is export time / bare XlsxWriter time.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_export(output: str) -> dict:
    setup_django()
    from exports.services.jobs import export_responses
    from surveys.models import Edition

    edition = Edition.objects.get(year=2021)
    wall, cpu = time.perf_counter(), time.process_time()
    rows = export_responses(edition, "xlsx", output, labels=True)
    return {
        "rows": rows,
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_rss_mb": round(peak_mb(), 1),
        "size_mb": round(os.path.getsize(output) / 1e6, 1),
    }


def materialise(sample: int = 0):
    """Every sheet's header and rows, in memory (the bare writers' input)."""
    setup_django()
    from exports.services.exporters import ResponsesExporter
    from exports.services.writers import neutralise
    from surveys.models import Edition

    exporter = ResponsesExporter(Edition.objects.get(year=2021), labels=True)
    if sample:
        exporter._ids = exporter.response_ids[:sample]
    sheets = []
    for sheet in exporter.sheets():
        rows = [
            [neutralise(v) if type(v) is str else v for v in row]
            for row in exporter.iterate_sheet(sheet.identifier)
        ]
        sheets.append((sheet.title, [c.name for c in sheet.columns], rows))
    return sheets


def bare_xlsxwriter(sheets, path: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for title, header, rows in sheets:
        worksheet = workbook.add_worksheet(title)
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, header)
        for index, row in enumerate(rows, start=1):
            worksheet.write_row(index, 0, row, date_format)
    workbook.close()


def typed_xlsxwriter(sheets, path: str) -> None:
    """XlsxWriter constant_memory with one typed call per cell, as exports.services.writers."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for title, header, rows in sheets:
        worksheet = workbook.add_worksheet(title)
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, header)
        write_string, write_number = worksheet.write_string, worksheet.write_number
        for index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                kind = type(value)
                if kind is str:
                    write_string(index, col, value)
                elif kind is int or kind is float:
                    write_number(index, col, value)
                elif value is not None:
                    worksheet.write_datetime(index, col, value, date_format)
    workbook.close()


def bare_openpyxl(sheets, path: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        worksheet = workbook.create_sheet(title)
        worksheet.freeze_panes = "A2"
        worksheet.append(header)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)


def child_writers(directory: str, sample: int = 0) -> dict:
    import openpyxl.xml

    sheets = materialise(sample)
    cells = sum(len(header) * (len(rows) + 1) for _title, header, rows in sheets)
    result = {"cells": cells, "lxml": openpyxl.xml.LXML, "rss_with_list_mb": round(peak_mb(), 1)}
    writers = (
        ("xlsxwriter", bare_xlsxwriter),
        ("xlsxwriter_typed", typed_xlsxwriter),
        ("openpyxl", bare_openpyxl),
    )
    for name, writer in writers:
        path = os.path.join(directory, f"bare-{name}.xlsx")
        wall, cpu = time.perf_counter(), time.process_time()
        writer(sheets, path)
        result[name] = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
        }
    return result


def run_child(*args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


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
    parser.add_argument("--child", choices=["export", "writers"], help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sample", type=int, default=0, help="writers only, on the first N responses"
    )
    options = parser.parse_args()
    if options.child == "export":
        print(json.dumps(child_export(options.target)))
        return
    if options.child == "writers":
        print(json.dumps(child_writers(options.target, options.sample)))
        return
    if options.sample:
        with tempfile.TemporaryDirectory(prefix="export-bench-") as directory:
            print(json.dumps(child_writers(directory, options.sample), indent=2))
        return

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Attention : DATABASE_URL ne désigne pas PostgreSQL ; le banc est prévu pour lui.")
    prepare(options.respondents)
    with tempfile.TemporaryDirectory(prefix="export-bench-") as directory:
        export = run_child("--child", "export", "--target", os.path.join(directory, "e.xlsx"))
        writers = run_child("--child", "writers", "--target", directory)
    bare = writers["xlsxwriter"]
    report = {
        "respondents": options.respondents,
        "export": export,
        "bare_writers": writers,
        "overhead_wall": round(export["wall_s"] / bare["wall_s"], 2),
        "overhead_cpu": round(export["cpu_s"] / bare["cpu_s"], 2),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Memory and time of the SPSS and Stata writers at census scale (issue 14); see bench/README.md.

    .venv/bin/python bench/statistical_bench.py --respondents 36000 --columns 199

pyreadstat writes from a whole DataFrame, so the table is held in memory: this measures how
much. No database: a synthetic Réponses sheet shaped like the 2021 edition's (identity and dates,
then 0/1 columns of multiple choices, coded scales, numbers with their `__statut` columns, texts)
is fed to `exports.services.statistical.write_table`, each format in a fresh subprocess so that
the peak resident memory (ru_maxrss) is its own.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIKERT = [("tout_a_fait", "Oui, tout à fait"), ("plutot", "Oui, plutôt"), ("nsp", "Ne sait pas")]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_sheet(width: int):
    from exports.services.exporters import Sheet
    from exports.services.layout import NSP, SANS_OBJET, STATUS_SUFFIX, Column, identity_columns

    columns = identity_columns(False)
    index = 0
    while len(columns) < width:
        index += 1
        shape = index % 10
        if shape < 4:
            columns.append(
                Column(f"q{index}_choix", f"Question {index}", "integer", role="choice",
                       choices=[("1", "coché"), ("0", "non coché")])
            )  # fmt: skip
        elif shape < 6:
            columns.append(Column(f"q{index}", f"Échelle {index}", role="row", choices=LIKERT))
        elif shape < 8:
            columns.append(Column(f"q{index}", f"Nombre {index}", "number", role="value"))
            columns.append(
                Column(f"q{index}{STATUS_SUFFIX}", "statut", role="status",
                       choices=[(NSP, "Ne sait pas"), (SANS_OBJET, "Sans objet")])
            )  # fmt: skip
        else:
            columns.append(Column(f"q{index}", f"Texte {index}", role="value"))
    return Sheet("reponses", "Réponses", columns[:width])


class SyntheticExporter:
    def __init__(self, sheet, respondents: int):
        self.sheet = sheet
        self.respondents = respondents

    def iterate_sheet(self, identifier: str):
        randomiser = random.Random(14)
        start = datetime(2021, 3, 1)
        for number in range(self.respondents):
            row: list = []
            for column in self.sheet.columns:
                if column.kind == "datetime":
                    row.append(start + timedelta(minutes=number))
                elif column.role == "choice":
                    row.append(randomiser.randint(0, 1))
                elif column.role == "status":
                    row.append(randomiser.choice([None, None, "nsp", "sans_objet"]))
                elif column.choices:
                    row.append(randomiser.choice(column.choices)[0])
                elif column.kind in ("integer", "number"):
                    row.append(randomiser.choice([None, randomiser.randint(0, 500_000)]))
                else:
                    row.append(f"Réponse libre n° {number}" if randomiser.random() < 0.3 else None)
            yield row


def child(fmt: str, respondents: int, width: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")
    import django

    django.setup()
    from exports.services.statistical import write_table

    sheet = synthetic_sheet(width)
    before = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"reponses.{fmt}"
        rows, _variables = write_table(SyntheticExporter(sheet, respondents), sheet, fmt, path, "")  # type: ignore[arg-type]
        size = path.stat().st_size
    return {
        "format": fmt,
        "rows": rows,
        "columns": len(sheet.columns),
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "peak_mb": round(peak_mb()),
        "peak_before_mb": round(before),
        "file_mb": round(size / 1_000_000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=36000)
    parser.add_argument("--columns", type=int, default=199)
    parser.add_argument("--child", choices=["sav", "dta"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.respondents, args.columns)))
        return
    for fmt in ("sav", "dta"):
        output = subprocess.run(
            [sys.executable, __file__, "--child", fmt, "--respondents", str(args.respondents),
             "--columns", str(args.columns)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        print(output.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

"""Gunicorn configuration of `bench/answering_cpu.py`: the production one, plus two hooks that
write, for each request, the worker's CPU time and its number of SQL queries (one JSON line per
request in the file named by BENCH_CPU_LOG). Only the bench loads it.

With BENCH_PROFILE_DIR, each request measured (once the bench has created the file `measuring`
there) is also profiled with cProfile on the CPU clock, one `<pid>-<n>.pstats` file per
request, its method, path and SQL queries in `<pid>-<n>.txt`; the CPU figures of a profiled run
are inflated by the profiler.

Each worker also answers `/plancher/`: the framework's floor of issue 19, a bare view rendering a
small template behind the project's whole middleware stack (sessions, CSRF, security headers,
compression). The bench compares every page with it, so that its budgets can be read on a
machine slower or faster than the issue's (where the floor cost 1.9 ms)."""

import cProfile
import functools
import json
import os
import time
from pathlib import Path

logger_class = "barometre.logging.GunicornLogger"

_state = {"queries": 0, "cpu": 0.0, "profile": None, "count": 0, "sql": []}
_PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR")


def _count(execute, sql, params, many, context):
    _state["queries"] += 1
    if _state["profile"] is not None:
        _state["sql"].append(sql)
    return execute(sql, params, many, context)


FLOOR_TEMPLATE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body></html>"""


@functools.cache
def _floor_template():
    from django.template import engines

    return engines["django"].from_string(FLOOR_TEMPLATE)  # compiled once, as the loader would


def _floor_view(request):
    from django.http import HttpResponse

    page = _floor_template().render({"title": "Plancher", "text": request.path}, request)
    return HttpResponse(page)


def post_worker_init(worker):
    from django.db.backends.signals import connection_created
    from django.urls import clear_url_caches, path

    from barometre import urls

    urls.urlpatterns.append(path("plancher/", _floor_view))
    clear_url_caches()

    def counted(sender, connection, **kwargs):
        if _count not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count)

    connection_created.connect(counted, weak=False)


def pre_request(worker, req):
    _state["queries"] = 0
    _state["profile"] = None
    if _PROFILE_DIR and (Path(_PROFILE_DIR) / "measuring").exists():
        _state["sql"] = []
        _state["profile"] = cProfile.Profile(time.process_time)
        _state["profile"].enable()
    _state["cpu"] = time.process_time()


def post_request(worker, req, environ, resp):
    cpu = time.process_time() - _state["cpu"]
    profile = _state["profile"]
    if profile is not None:
        profile.disable()
        _state["count"] += 1
        stem = Path(_PROFILE_DIR) / f"{os.getpid()}-{_state['count']}"
        profile.dump_stats(f"{stem}.pstats")
        Path(f"{stem}.txt").write_text("\n".join([f"{req.method} {req.path}", *_state["sql"]]))
    line = {
        "method": req.method,
        "path": req.path,
        "query": req.query,
        "status": resp.status_code if hasattr(resp, "status_code") else str(resp.status),
        "cpu_ms": round(cpu * 1000, 3),
        "queries": _state["queries"],
        "pid": os.getpid(),
    }
    with open(os.environ["BENCH_CPU_LOG"], "a") as log:
        log.write(json.dumps(line) + "\n")

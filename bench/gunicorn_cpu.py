"""Gunicorn configuration of `bench/answering_cpu.py`: the production one, plus two hooks that
write, for each request, the worker's CPU time and its number of SQL queries (one JSON line per
request in the file named by BENCH_CPU_LOG). Only the bench loads it."""

import json
import os
import time

logger_class = "barometre.logging.GunicornLogger"

_state = {"queries": 0, "cpu": 0.0}


def _count(execute, sql, params, many, context):
    _state["queries"] += 1
    return execute(sql, params, many, context)


def post_worker_init(worker):
    from django.db.backends.signals import connection_created

    def counted(sender, connection, **kwargs):
        if _count not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count)

    connection_created.connect(counted, weak=False)


def pre_request(worker, req):
    _state["queries"] = 0
    _state["cpu"] = time.process_time()


def post_request(worker, req, environ, resp):
    cpu = time.process_time() - _state["cpu"]
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

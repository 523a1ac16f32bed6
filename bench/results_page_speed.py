"""How fast the results pages are on a phone, measured in the system Chromium (no Lighthouse).

    .venv/bin/python bench/results_page_speed.py [--respondents 300] [--cpu 4]

It builds a throwaway SQLite database (var/bench-results-speed.sqlite3: editions/2021.yaml,
synthetic responses, published, figures computed), serves the app in a thread, then opens the
analysts' page and the public page as Lighthouse's mobile preset does (412 × 823 px, CPU slowed
down 4 times, 150 ms of latency, 1.6 Mbit/s) and reports, for the load: first contentful paint,
largest contentful paint, total blocking time (the long tasks' excess over 50 ms after the first
paint) and cumulative layout shift; then the layout shift after scrolling the whole page, which
draws every chart (a first visit fills the server's caches: the second is measured).
`bench/lighthouse.py` gives Lighthouse's own scores (gunicorn, production settings).
"""

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = ROOT / "var" / "bench-results-speed.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "barometre.settings")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("CACHE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.utils import timezone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from barometre.roles import ANALYSTS  # noqa: E402
from exports.results.cache import recompute  # noqa: E402
from surveys.definition.loader import load_definition  # noqa: E402
from surveys.definition.sync import import_definition  # noqa: E402
from surveys.models import Edition  # noqa: E402
from surveys.synthetic import seed_responses  # noqa: E402

YEAR = 2021
PHONE = {"width": 412, "height": 823}
OBSERVERS = """
window.__speed = { cls: 0, blocking: 0, fcp: null, lcp: null };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__speed.cls += e.value;
}).observe({ type: "layout-shift", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const fcp = window.__speed.fcp || 0;
    if (e.startTime + e.duration > fcp) window.__speed.blocking += Math.max(0, e.duration - 50);
  }
}).observe({ type: "longtask", buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "first-contentful-paint") window.__speed.fcp = e.startTime;
  }
}).observe({ type: "paint", buffered: true });
new PerformanceObserver((list) => {
  const all = list.getEntries();
  window.__speed.lcp = all[all.length - 1].startTime;
}).observe({ type: "largest-contentful-paint", buffered: true });
"""


def prepare(respondents: int) -> str:
    """The published edition and an analyst's session cookie."""
    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    edition, _ = import_definition(load_definition(ROOT / "editions" / f"{YEAR}.yaml"))
    edition.opens_at = timezone.now() - timedelta(days=30)
    edition.closes_at = timezone.now() - timedelta(days=1)
    edition.status = Edition.Status.PUBLISHED
    edition.save()
    seed_responses(edition, respondents, seed=14)
    recompute(edition)
    analyst = get_user_model().objects.create_user("analyste", "analyste@example.test", "pw")
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    client = Client()
    client.force_login(analyst)
    return client.cookies["sessionid"].value


def measure(browser, base: str, path: str, session: str, cpu: int) -> dict:
    context = browser.new_context(
        base_url=base, viewport=PHONE, device_scale_factor=1.75, is_mobile=True, locale="fr-FR"
    )
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 150,
            "downloadThroughput": 1.6 * 1024 * 1024 / 8,
            "uploadThroughput": 750 * 1024 / 8,
        },
    )
    page.add_init_script(OBSERVERS)
    page.goto(path, wait_until="load")
    page.wait_for_timeout(3000)
    loaded = page.evaluate("() => ({...window.__speed})")
    charts = page.locator("figure.results-chart").count()
    height = page.evaluate("() => document.body.scrollHeight")
    for _ in range(0, height, PHONE["height"]):
        page.mouse.wheel(0, PHONE["height"])
        page.wait_for_timeout(60)
    page.wait_for_timeout(1000)
    scrolled = page.evaluate("() => window.__speed.cls")
    context.close()
    return {**loaded, "charts": charts, "cls_scrolled": scrolled}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--cpu", type=int, default=4, help="ralentissement du processeur")
    parser.add_argument("--chromium", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    args = parser.parse_args()
    session = prepare(args.respondents)
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        for path in (f"/resultats/{YEAR}/", f"/resultats/{YEAR}/publics/"):
            measure(browser, base, path, session, 1)  # fills the server's caches
            m = measure(browser, base, path, session, args.cpu)
            print(
                f"{path:28} {m['charts']:3} graphiques  FCP {m['fcp'] or 0:6.0f} ms  "
                f"LCP {m['lcp'] or 0:6.0f} ms  TBT {m['blocking']:5.0f} ms  "
                f"CLS {m['cls']:.3f}  CLS après défilement {m['cls_scrolled']:.3f}"
            )
        browser.close()
    server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())

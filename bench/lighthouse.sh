#!/bin/sh
# Lighthouse 12 (mobile preset by default, desktop with --preset=desktop) on the results pages,
# run against the system Chromium. Needs the network once, for npm to fetch Lighthouse; the app
# must be running (bin/demo, http://127.0.0.1:8000) with a published edition.
#
#   bench/lighthouse.sh [BASE_URL] [YEAR] [--preset=desktop]
#
# The analysts' page needs a session: pass the cookie of a signed-in analyst in SESSIONID.
set -eu
BASE=${1:-http://127.0.0.1:8000}
YEAR=${2:-2021}
PRESET=${3:-}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
HEADERS=""
if [ -n "${SESSIONID:-}" ]; then
  HEADERS="--extra-headers={\"Cookie\":\"sessionid=$SESSIONID\"}"
fi
mkdir -p var/lighthouse
for page in "resultats/$YEAR/publics/" "resultats/$YEAR/"; do
  name=$(echo "$page" | tr '/' '-')
  # shellcheck disable=SC2086
  npm exec --yes lighthouse@12 -- "$BASE/$page" $PRESET $HEADERS \
    --chrome-flags="--headless=new --no-sandbox" \
    --only-categories=performance,accessibility,best-practices \
    --output=json --output=html --output-path="var/lighthouse/${name%?}" --quiet
  node -e '
    const r = require(process.argv[1]);
    const s = (c) => Math.round(r.categories[c].score * 100);
    const a = (k) => r.audits[k].displayValue;
    console.log(process.argv[2], "performance", s("performance"), "accessibilité",
      s("accessibility"), "bonnes pratiques", s("best-practices"),
      "CLS", a("cumulative-layout-shift"), "TBT", a("total-blocking-time"));
  ' "$PWD/var/lighthouse/${name%?}.report.json" "$page"
done

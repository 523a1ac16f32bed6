# Shared by bin/demo and bin/test: a virtualenv in .venv and node_modules, installed only when
# pyproject.toml or package-lock.json changed since the last run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON_BIN="${PYTHON:-python3}"
VENV="$ROOT/.venv"
mkdir -p "$ROOT/var"

if [ ! -x "$VENV/bin/python" ]; then
  echo "→ Création de l'environnement Python (.venv)"
  "$PYTHON_BIN" -m venv "$VENV"
fi
PY="$VENV/bin/python"

install_python() {  # $1: the extras to install, e.g. "" or "[test]"
  local stamp="$VENV/.installed$1"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "→ Installation des dépendances Python $1"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$PY" -m pip install --quiet --disable-pip-version-check -e ".$1"
    echo "$want" > "$stamp"
  fi
}

install_node() {
  local stamp="node_modules/.installed"
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "→ Installation des ressources front et du référentiel (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

install_browser() {
  # Browser and accessibility tests drive Debian's Chromium (browsers cannot be downloaded).
  if command -v chromium >/dev/null 2>&1; then return; fi
  echo "→ Installation de Chromium (paquet Debian) pour les tests navigateur"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "  Chromium absent et pas de droits root : installez le paquet « chromium »." >&2
      return
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
}

install_pdf_libs() {
  # WeasyPrint draws the PDF receipts with Pango, a system library (the fonts ship with the app).
  # ldconfig lives in /sbin, outside the PATH of ordinary users on Debian.
  if { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q "libpango-1.0.so.0"; then
    return
  fi
  echo "→ Installation de Pango (paquets Debian) pour les PDF (accusés de réception)"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "  Pango absent et pas de droits root : installez « libpango-1.0-0 libpangoft2-1.0-0 »." >&2
      return
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
}

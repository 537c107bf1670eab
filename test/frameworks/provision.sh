#!/usr/bin/env bash
# Provisions (or reuses) a Debian trixie root with the modern Python web stack the ports target:
# Django 4.2, FastAPI 0.115, SQLAlchemy 2.0, Flask 3.1, Pydantic 2, httpx, Flask-SQLAlchemy, Flask-Login, Jinja2,
# python-multipart (FastAPI's form parser) and itsdangerous — all from Debian's packages, for trixie's python3 (3.13).
#
# The root is cached outside the repo, at $FP_TRIXIE_ROOT or ~/.cache/framework-porter/trixie-root, and reused when
# its marker file (written last, only after a successful import check) is present and the import check still passes.
# A root without the marker, or whose check fails, is rebuilt from scratch. Needs root (debootstrap, chroot).
# Prints the root's path as its last line of stdout; everything else goes to stderr.
set -euo pipefail

ROOT="${FP_TRIXIE_ROOT:-${HOME}/.cache/framework-porter/trixie-root}"
MARKER="$ROOT/.framework-porter-complete"
LOCK="${ROOT}.lock"
STAMP="v2"   # bump to force a rebuild when the package set changes
SUITE=trixie
REQUIRED=python3-django,python3-fastapi,python3-starlette,python3-sqlalchemy,python3-flask,python3-flask-sqlalchemy,python3-flask-login,python3-httpx,python3-pydantic,python3-jinja2,python3-itsdangerous,python3-werkzeug,python3-python-multipart

log() { echo "[provision] $*" >&2; }

check() {
  chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin python3 - <<'EOF' >&2
import django, fastapi, starlette, sqlalchemy, pydantic, flask, flask_sqlalchemy, flask_login, httpx, jinja2, itsdangerous, python_multipart
from fastapi.testclient import TestClient
assert django.VERSION[:2] >= (4, 2), django.VERSION
assert sqlalchemy.__version__.startswith('2.'), sqlalchemy.__version__
assert pydantic.VERSION.startswith('2.'), pydantic.VERSION
print('django', django.get_version(), '| fastapi', fastapi.__version__, '| sqlalchemy', sqlalchemy.__version__,
      '| pydantic', pydantic.VERSION, '| flask', __import__('importlib.metadata').metadata.version('flask'))
EOF
}

mkdir -p "$(dirname "$ROOT")"
exec 9>"$LOCK"
flock 9   # two test runs at once must not build the same root twice

if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$STAMP" ]] && check; then
  log "reusing $ROOT"
  echo "$ROOT"
  exit 0
fi

[[ $(id -u) == 0 ]] || { log "must run as root (debootstrap, chroot)"; exit 1; }

if [[ -e "$ROOT" ]]; then
  log "removing incomplete or broken root $ROOT"
  # nothing is ever left mounted under it (files are copied in), but be safe: never follow into mounts
  for m in $(awk -v r="$ROOT" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf --one-file-system "$ROOT"
fi

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi
# trixie's scripts ship with recent debootstraps; older ones know it as a symlink to sid's
if [[ ! -e /usr/share/debootstrap/scripts/$SUITE ]]; then
  ln -s sid "/usr/share/debootstrap/scripts/$SUITE"
fi

TMP="${ROOT}.partial"
rm -rf --one-file-system "$TMP"
log "debootstrap $SUITE into $TMP (takes a minute or two)"
debootstrap --variant=minbase --include="$REQUIRED" "$SUITE" "$TMP" http://deb.debian.org/debian >&2 \
  || { log "debootstrap failed; see $TMP/debootstrap/debootstrap.log"; exit 1; }

chroot "$TMP" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get clean >&2 || true
mkdir -p "$TMP/tmp" && chmod 1777 "$TMP/tmp"

mv "$TMP" "$ROOT"
check || { log "the new root fails the import check"; exit 1; }
echo "$STAMP" > "$MARKER"
log "ready: $ROOT"
echo "$ROOT"

#!/usr/bin/env bash
# Back up novads-cms: the database and the media files, into a new directory under TARGET_DIR.
#
#   deploy/backup.sh [--env-file FILE] TARGET_DIR
#
# Each run writes TARGET_DIR/novads-cms-<UTC time>/ with
#   database.pgdump    PostgreSQL: pg_dump --format=custom (one consistent snapshot, taken while serving)
#   database.sqlite3   SQLite: an online copy through SQLite's backup API (sqlite3 .backup, or Python's sqlite3)
#   media.tar          the media directory (CMS_MEDIA_ROOT): uploads, documents and image renditions
#   migrations.txt     the migrations applied in that database, read from the copy itself
#   manifest.json      when, from which code and settings, sizes and SHA-256 of every file
#   SHA256SUMS         checksums of all of the above (sha256sum --check); deploy/restore.sh verifies them first
# and prints the directory's path as its last line. The directory appears only once complete (it is written
# as .novads-cms-<time>.partial first), so a backup that failed half way is never mistaken for one.
#
# The database and media are those of the settings (DJANGO_SETTINGS_MODULE, default config.settings.production,
# and the environment: DATABASE_URL, CMS_MEDIA_ROOT, ...). --env-file FILE reads that environment from the file
# systemd uses (/etc/novads-cms/novads-cms.env). CMS_BACKUP_DATABASE_URL, when set, is used instead of
# DATABASE_URL for the dump (e.g. PostgreSQL itself where DATABASE_URL names a pooler such as PgBouncer).
# Run it as the service user: a SQLite database opened by root gets files the service cannot write.
#
# Redis holds only caches and is not backed up. Backups hold password hashes and webhook secrets: the
# directory is created readable by its owner only.
#
# Environment: CMS_PYTHON (default .venv/bin/python of this checkout), CMS_SQLITE3 (the sqlite3 program; empty to
# use Python's sqlite3 module instead). Needs pg_dump and pg_restore of the server's major version or newer for
# PostgreSQL, and tar and sha256sum.
set -euo pipefail
umask 077

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROG=${0##*/}

usage() { sed -n '2,/^[^#]/{/^#/!d;s/^# \{0,1\}//;p}' "$0"; }
die() {
  echo "$PROG: $*" >&2
  exit 1
}
say() { echo "==> $*"; }

env_file=
target=
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) env_file=${2:?--env-file needs a file}; shift 2 ;;
    --env-file=*) env_file=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
      [ -z "$target" ] || die "one target directory only (see --help)"
      target=$1
      shift
      ;;
  esac
done
[ -n "$target" ] || { usage >&2; exit 64; }
if [ -n "$env_file" ]; then
  [ -r "$env_file" ] || die "cannot read $env_file"
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.production}
# The metrics directory is the long-running services' (deploy/systemd): a short command would only leave files
# there for every scrape to read, or fail where the directory is missing or not writable by whoever runs this.
unset PROMETHEUS_MULTIPROC_DIR
PYTHON=${CMS_PYTHON:-$ROOT/.venv/bin/python}
SQLITE3=${CMS_SQLITE3-sqlite3}
[ -x "$PYTHON" ] || command -v "$PYTHON" >/dev/null || die "no Python at $PYTHON (set CMS_PYTHON)"
for tool in tar sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

# --- what to back up: the settings' database and media directory -------------------------------------------
# Read by the settings module itself (without starting Django), so the script finds exactly what the
# application uses, defaults included. PostgreSQL's connection goes to the libpq variables in PG_ENV, passed
# only to the PostgreSQL tools (never on a command line, where ps would show the password).
PG_ENV=()
settings=$(cd "$ROOT" && "$PYTHON" "$ROOT/deploy/read_settings.py" backup) || die "could not read the settings ($DJANGO_SETTINGS_MODULE); is the environment set (--env-file)?"
eval "$settings"

pg() { (export "${PG_ENV[@]}"; exec "$@"); }

sqlite_has_cli() { [ -n "$SQLITE3" ] && command -v "$SQLITE3" >/dev/null; }

# One value per line, from a query on a SQLite file (the CLI when there is one, else Python's module).
sqlite_query() {
  if sqlite_has_cli; then
    "$SQLITE3" -batch -noheader "$1" "$2"
  else
    "$PYTHON" -c 'import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    for row in db.execute(sys.argv[2]):
        print(*row, sep="|")' "$1" "$2"
  fi
}

# --- the run's directory ---------------------------------------------------------------------------------------
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
name="novads-cms-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"
target=$(cd "$target" && pwd)
final="$target/$name"
work="$target/.$name.partial"
[ ! -e "$final" ] || die "$final exists already"
mkdir "$work" || die "cannot create $work (another backup in the same second?)"
trap 'rm -rf "$work"' EXIT
say "backing up $DB_LABEL and $MEDIA_ROOT into $final"

# --- the database ------------------------------------------------------------------------------------------
seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f", b - a }'; }
t0=$(seconds)
server_version=
if [ "$DB_ENGINE" = postgresql ]; then
  for tool in pg_dump pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install postgresql-client)"
  done
  db_file=database.pgdump
  db_method="pg_dump $(pg_dump --version | awk '{print $3}') --format=custom"
  server_version=$(pg psql --no-psqlrc --no-password -tAc 'SHOW server_version') ||
    die "cannot connect to $DB_LABEL"
  # One snapshot of the whole database, while the site keeps serving and editing.
  pg pg_dump --format=custom --no-password --file="$work/$db_file"
  # The archive must be readable by the tool that will restore it.
  pg_restore --list "$work/$db_file" >/dev/null
  # The migrations as they are in the dump, not as they are by now in the live database.
  pg_restore --data-only --table=django_migrations --file=- "$work/$db_file" | "$PYTHON" -c '
import sys
rows, columns = [], None
for line in sys.stdin:
    line = line.rstrip("\n")
    if columns is None:
        if line.startswith("COPY ") and "django_migrations" in line and line.endswith("FROM stdin;"):
            columns = [c.strip() for c in line[line.index("(") + 1 : line.rindex(")")].split(",")]
        continue
    if line == "\\.":
        break
    values = dict(zip(columns, line.split("\t")))
    rows.append((int(values["id"]), values["app"] + "." + values["name"]))
for _id, migration in sorted(rows):
    print(migration)
' >"$work/migrations.txt"
else
  [ -f "$DB_NAME" ] || die "no SQLite database at $DB_NAME"
  db_file=database.sqlite3
  if sqlite_has_cli; then
    db_method="sqlite3 $("$SQLITE3" --version | awk '{print $1}') .backup"
    # From inside the backup directory, so that no path has to be quoted for a dot-command.
    (cd "$work" && "$SQLITE3" -batch "$DB_NAME" ".backup $db_file")
  else
    db_method="python sqlite3.backup"
    "$PYTHON" -c 'import sqlite3, sys
source = sqlite3.connect(sys.argv[1], timeout=20)
copy = sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)
copy.close()
source.close()' "$DB_NAME" "$work/$db_file"
  fi
  integrity=$(sqlite_query "$work/$db_file" 'PRAGMA integrity_check')
  [ "$integrity" = ok ] || die "the copy of $DB_NAME fails its integrity check: $integrity"
  server_version=$(sqlite_query "$work/$db_file" 'SELECT sqlite_version()')
  sqlite_query "$work/$db_file" "SELECT app || '.' || name FROM django_migrations ORDER BY id" >"$work/migrations.txt"
fi
[ -s "$work/migrations.txt" ] || die "no applied migrations in $DB_LABEL: is it this project's database?"
db_seconds=$(elapsed "$t0")
say "database: $db_method -> $db_file ($(du -h "$work/$db_file" | cut -f1), ${db_seconds} s)"

# --- the media files -----------------------------------------------------------------------------------------
t0=$(seconds)
if [ -d "$MEDIA_ROOT" ]; then
  # A file written while it is read (an upload in progress) is archived as it was then: GNU tar says so with
  # status 1, which is not a failure. The database was dumped first, so it does not know that upload yet.
  status=0
  tar --create --file="$work/media.tar" --directory="$MEDIA_ROOT" \
    --exclude='./.novads-cms-restore.*' --warning=no-file-changed . || status=$?
  [ "$status" -le 1 ] || die "tar failed ($status) on $MEDIA_ROOT"
  [ "$status" -eq 0 ] || say "warning: some media files changed while they were archived"
else
  say "warning: no media directory at $MEDIA_ROOT; the archive is empty"
  tar --create --file="$work/media.tar" --files-from=/dev/null
fi
media_files=$(tar --list --file="$work/media.tar" | grep -vc '/$' || true)
media_seconds=$(elapsed "$t0")
say "media: $media_files file(s) -> media.tar ($(du -h "$work/media.tar" | cut -f1), ${media_seconds} s)"

# --- manifest and checksums ----------------------------------------------------------------------------------
commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)
dirty=
if [ -n "$commit" ] && [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  dirty=1
fi
BACKUP_WORK=$work BACKUP_STARTED_AT=$started_at BACKUP_DB_ENGINE=$DB_ENGINE BACKUP_DB_LABEL=$DB_LABEL \
  BACKUP_DB_FILE=$db_file BACKUP_DB_METHOD=$db_method BACKUP_DB_SERVER=$server_version \
  BACKUP_MEDIA_ROOT=$MEDIA_ROOT BACKUP_MEDIA_FILES=$media_files BACKUP_COMMIT=$commit BACKUP_DIRTY=$dirty \
  "$PYTHON" - <<'PY'
import datetime
import hashlib
import json
import os
import socket
from importlib import metadata

env = os.environ
work = env["BACKUP_WORK"]


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


with open(os.path.join(work, "migrations.txt")) as file:
    migrations = file.read().split()
# Per app, the highest-numbered migration (applied order would name a squashed one recorded last).
latest = {}
for migration in migrations:
    app, name = migration.split(".", 1)
    latest[app] = max(latest.get(app, name), name)
files = {
    name: {"bytes": os.path.getsize(os.path.join(work, name)), "sha256": sha256(os.path.join(work, name))}
    for name in sorted(os.listdir(work))
}
manifest = {
    "format": 1,
    "created_at": env["BACKUP_STARTED_AT"],
    "finished_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "host": socket.gethostname(),
    "settings": env["DJANGO_SETTINGS_MODULE"],
    "code": {
        "commit": env["BACKUP_COMMIT"] or None,
        "uncommitted_changes": bool(env["BACKUP_DIRTY"]),
        "versions": {name: version(name) for name in ("Django", "wagtail", "wagtail-localize")},
    },
    "database": {
        "engine": env["BACKUP_DB_ENGINE"],
        "source": env["BACKUP_DB_LABEL"],
        "server_version": env["BACKUP_DB_SERVER"],
        "method": env["BACKUP_DB_METHOD"],
        "file": env["BACKUP_DB_FILE"],
    },
    "media": {"root": env["BACKUP_MEDIA_ROOT"], "file": "media.tar", "files": int(env["BACKUP_MEDIA_FILES"])},
    "migrations": {"file": "migrations.txt", "count": len(migrations), "latest": latest},
    "files": files,
}
with open(os.path.join(work, "manifest.json"), "w") as file:
    json.dump(manifest, file, indent=2, sort_keys=False)
    file.write("\n")
PY
(cd "$work" && sha256sum -- "$db_file" media.tar migrations.txt manifest.json >SHA256SUMS)
say "migrations: $(wc -l <"$work/migrations.txt") applied"

mv "$work" "$final"
trap - EXIT
say "done: $(du -sh "$final" | cut -f1) in $final"
echo "$final"

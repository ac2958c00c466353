#!/usr/bin/env bash
# Frappe tier: copy this checkout into a real bench, install or migrate it on the test sites,
# then run tests/frappe with the bench's Python as the bench user.
#
#   bash tests/frappe/run.sh            (as root or as the bench user; no stdin needed)
#
# CLAIMS_BILLING_BENCH  bench directory            (default /opt/frappe-bench)
# CLAIMS_BILLING_SITE   site with ERPNext + Healthcare (default claims.test)
# CLAIMS_BILLING_NOHC_SITE  site with ERPNext only     (default nohc.test; skipped if absent)
# Extra arguments go to pytest (e.g. -k capture -x).
set -euo pipefail

BENCH="${CLAIMS_BILLING_BENCH:-/opt/frappe-bench}"
SITE="${CLAIMS_BILLING_SITE:-claims.test}"
NOHC_SITE="${CLAIMS_BILLING_NOHC_SITE:-nohc.test}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="claims_billing"
APP_DIR="$BENCH/apps/$APP"

if [ ! -x "$BENCH/env/bin/python" ] || [ ! -d "$BENCH/apps/frappe" ] || [ ! -d "$BENCH/sites/$SITE" ]; then
	echo "Frappe tier skipped: no bench at $BENCH (with site $SITE)"
	exit 0
fi

BENCH_USER="$(stat -c %U "$BENCH")"
# One Frappe tier at a time per machine: runs share the bench's app copy and the test sites.
exec 9>/tmp/claims_billing_frappe_tier.lock
flock 9
started=$(date +%s)
step() { echo "== [$(($(date +%s) - started))s] $*"; }
as_bench_user() {
	if [ "$(id -un)" = "$BENCH_USER" ]; then
		bash -c "$1"
	else
		runuser -u "$BENCH_USER" -- bash -c "$1"
	fi
}
bench_cmd() { as_bench_user "cd '$BENCH' && PATH=\"\$PATH:/usr/local/bin\" bench $*"; }

step "copying $REPO to $APP_DIR"
if [ "$REPO" != "$APP_DIR" ]; then
	mkdir -p "$APP_DIR"
	rsync -a --delete \
		--exclude .git --exclude __pycache__ --exclude '*.egg-info' --exclude .pytest_cache \
		--exclude .ruff_cache --exclude .hypothesis --exclude node_modules \
		"$REPO/" "$APP_DIR/"
	# flit needs the readme pyproject.toml names; a checkout without it still installs.
	[ -f "$APP_DIR/README.md" ] || echo "# claims_billing" >"$APP_DIR/README.md"
	if [ "$(id -u)" = 0 ]; then chown -R "$BENCH_USER:$BENCH_USER" "$APP_DIR"; fi
fi

installed_from=$(as_bench_user "cd /tmp && '$BENCH/env/bin/python' -c 'import $APP, os; print(os.path.dirname(os.path.dirname($APP.__file__)))'" 2>/dev/null || true)
if [ "$installed_from" != "$APP_DIR" ]; then
	step "pip install -e $APP_DIR into the bench env"
	as_bench_user "'$BENCH/env/bin/pip' install --quiet --disable-pip-version-check -e '$APP_DIR'"
fi
# An editable install keeps the requirements of the day it ran: re-install when pyproject.toml
# now asks for more (WeasyPrint, stripe, Jinja2 are imported by the site's code).
if ! unmet=$(as_bench_user "'$BENCH/env/bin/python' '$APP_DIR/tests/frappe/check_requirements.py' '$APP_DIR/pyproject.toml'"); then
	step "app requirements not met in the bench env: $(echo "$unmet" | tr '\n' ';')"
	as_bench_user "'$BENCH/env/bin/pip' install --quiet --disable-pip-version-check -e '$APP_DIR'"
fi
# The browser test drives Chromium through Selenium (Debian's chromium + chromium-driver).
if ! as_bench_user "'$BENCH/env/bin/python' -c 'import selenium'" 2>/dev/null; then
	step "pip install selenium into the bench env"
	as_bench_user "'$BENCH/env/bin/pip' install --quiet --disable-pip-version-check 'selenium>=4.20,<5'" ||
		echo "could not install selenium: the browser test will be skipped"
fi
# Claim tests judge every 837P with pyx12 and run an asyncssh SFTP server (sshd needs root; pytest
# runs as the bench user).
if ! as_bench_user "'$BENCH/env/bin/python' -c 'import pyx12, asyncssh'" 2>/dev/null; then
	step "pip install pyx12 and asyncssh into the bench env"
	as_bench_user "'$BENCH/env/bin/pip' install --quiet --disable-pip-version-check 'pyx12==4.0.0' 'asyncssh>=2.14'" ||
		echo "could not install pyx12/asyncssh: the claim tests will fail"
fi
if [ "$(id -u)" = 0 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
	step "apt-get install chromium chromium-driver"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null ||
		echo "could not install chromium-driver: the browser test will be skipped"
fi

if ! grep -qx "$APP" "$BENCH/sites/apps.txt"; then
	step "adding $APP to sites/apps.txt"
	as_bench_user "printf '\n%s\n' '$APP' >> '$BENCH/sites/apps.txt' && sed -i '/^\$/d' '$BENCH/sites/apps.txt'"
fi

# A database server started by a session's own shell does not outlive that session: start the
# machine's MariaDB again when it is down, as the machine itself starts it.
step "checking MariaDB"
# Exits 0 on a running server even when access is denied, so it answers for any user.
mariadb_up() { mysqladmin --connect-timeout=2 ping >/dev/null 2>&1; }
if ! mariadb_up; then
	if [ "$(id -u)" != 0 ]; then
		echo "MariaDB is not running, and only root can start it: start it, then run this again" >&2
		exit 1
	fi
	echo "MariaDB is not running: starting /usr/sbin/mariadbd"
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
	for _ in $(seq 60); do
		mariadb_up && break
		sleep 1
	done
	if ! mariadb_up; then
		echo "MariaDB did not start within 60 s; its log: /var/log/mysql/error.log" >&2
		exit 1
	fi
fi

step "checking the bench redis"
for conf in redis_cache redis_queue; do
	port=$(awk '/^port/ {print $2}' "$BENCH/config/$conf.conf" 2>/dev/null || true)
	if [ -n "$port" ] && ! redis-cli -p "$port" ping >/dev/null 2>&1; then
		echo "starting $conf on port $port"
		as_bench_user "cd '$BENCH' && redis-server config/$conf.conf --daemonize yes"
	fi
done

install_or_migrate() {
	local site="$1"
	# A site's cache filled before the app was in apps.txt maps no modules to it: install-app would then
	# sync none of its DocTypes and fail in after_install, leaving the app listed but without them.
	bench_cmd "--site $site clear-cache" >/dev/null
	if bench_cmd "--site $site list-apps" 2>/dev/null | grep -q "^$APP"; then
		if bench_cmd "--site $site execute frappe.db.exists --args \"['DocType', 'Claims Billing Settings']\"" \
			2>/dev/null | grep -q "Claims Billing Settings"; then
			step "migrating $site"
			bench_cmd "--site $site migrate --skip-search-index"
		else
			step "$APP is listed on $site without its DocTypes (an install that failed): installing it again"
			bench_cmd "--site $site install-app $APP --force"
		fi
	else
		step "installing $APP on $site"
		bench_cmd "--site $site install-app $APP"
	fi
}
install_or_migrate "$SITE"
if [ -d "$BENCH/sites/$NOHC_SITE" ]; then
	install_or_migrate "$NOHC_SITE"
fi
bench_cmd "--site $SITE clear-cache" >/dev/null

step "running the Frappe tier"
set +e
as_bench_user "cd '$BENCH/sites' && CLAIMS_BILLING_BENCH='$BENCH' CLAIMS_BILLING_SITE='$SITE' \
	CLAIMS_BILLING_NOHC_SITE='$NOHC_SITE' '$BENCH/env/bin/python' -m pytest '$APP_DIR/tests/frappe' \
	-q -rs -p no:cacheprovider $([ $# -eq 0 ] || printf '%q ' "$@")"
status=$?
set -e
step "Frappe tier finished with exit code $status"
exit $status

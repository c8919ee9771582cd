#!/usr/bin/env bash
# Install the system packages the test suite needs, only if they are missing.
#
# Debian's PostgreSQL server (the tests start a throwaway server from its
# binaries in /usr/lib/postgresql/*/bin) and Debian's Chromium (the dashboard's
# browser tests drive /usr/bin/chromium with Playwright; nothing downloads a
# browser). Idempotent: when both are there it installs nothing and touches no
# network.
set -euo pipefail

have_postgres() {
    local bindir
    for bindir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$bindir/initdb" && -x "$bindir/pg_ctl" ]]; then
            echo "system-deps: PostgreSQL server found in $bindir"
            return 0
        fi
    done
    return 1
}

if ! have_postgres; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "system-deps: the PostgreSQL server (initdb, pg_ctl) is missing and" \
            "this is not a Debian/Ubuntu system (no apt-get)." >&2
        echo "system-deps: install PostgreSQL >= 13 with your package manager." >&2
        exit 1
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "system-deps: the PostgreSQL server (initdb, pg_ctl) is missing." >&2
        echo "system-deps: run as root: sudo $0" \
            "(or: sudo apt-get install -y postgresql)" >&2
        exit 1
    fi
    echo "system-deps: installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends postgresql
    # The package starts a cluster on port 5432 where an init system runs; the
    # tests use their own server, so that one is left as the package set it up.
    have_postgres || {
        echo "system-deps: postgresql installed but initdb/pg_ctl not found" \
            "in /usr/lib/postgresql/*/bin" >&2
        exit 1
    }
fi

have_chromium() {
    if [[ -x /usr/bin/chromium ]]; then
        echo "system-deps: Chromium found at /usr/bin/chromium"
        return 0
    fi
    return 1
}

if ! have_chromium; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "system-deps: Chromium (/usr/bin/chromium) is missing and this is not" \
            "a Debian/Ubuntu system (no apt-get)." >&2
        echo "system-deps: install Chromium at /usr/bin/chromium with your package" \
            "manager; without it the dashboard's browser tests are skipped." >&2
        exit 1
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "system-deps: Chromium (/usr/bin/chromium) is missing." >&2
        echo "system-deps: run as root: sudo $0" \
            "(or: sudo apt-get install -y chromium)" >&2
        exit 1
    fi
    echo "system-deps: installing Debian's chromium package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends chromium
    have_chromium || {
        echo "system-deps: chromium installed but /usr/bin/chromium not found" >&2
        exit 1
    }
fi

# Spark needs a Java runtime; it is not installed here, only reported.
if ! command -v java >/dev/null 2>&1; then
    echo "system-deps: warning: no 'java' on PATH; the Spark tests need Java 17" \
        "(Debian: apt-get install openjdk-17-jre-headless)" >&2
fi

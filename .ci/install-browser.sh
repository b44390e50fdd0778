#!/usr/bin/env bash
# Install Debian's Chromium for tests/test_browser.py (the HTML report in a real browser).
# Failure is tolerated: without a browser those tests skip with a reason, the rest still run.
set -u
if [ -x /usr/bin/chromium ]; then
    echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null | head -n1) already installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
fi
if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; then
    echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null | head -n1) installed"
else
    echo "install-browser: could not install chromium; browser tests will be skipped" >&2
fi
exit 0

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Prints a key for the content of the source tree (the files git knows,
# tracked or not ignored): make deb records it, scripts/device.sh
# rebuilds the packages only when it changed.
set -eu
cd "$(dirname "$0")/.."
git ls-files -z --cached --others --exclude-standard |
	xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16

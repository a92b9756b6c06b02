#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine (Debian, Python 3.11).
#   bash scripts/install.sh          Python packages (the app and the CLIs)
#   bash scripts/install.sh --test   also Chromium, ChromeDriver and a Chinese font for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--test" ]]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  if ((${#missing[@]})); then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

# torch is pinned to the CPU build in requirements.txt; any other version would pull a CUDA build.
python -m pip install --quiet --disable-pip-version-check -r requirements.txt

#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: real peers (mosquitto as the cloud broker,
# pymodbus as a Modbus device, sipp as a GB28181 camera) and Chromium for the console tests.
# Idempotent: skips apt entirely when everything is already there.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
/usr/bin/python3 -c 'import pymodbus' >/dev/null 2>&1 || need+=(python3-pymodbus)
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
# socat makes pseudo-terminal pairs: the Modbus RTU serial-line tests run over them.
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
# A CJK font so console screenshots show the Chinese UI instead of boxes.
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts mosquitto as a system service on install; tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then systemctl stop mosquitto >/dev/null 2>&1 || true; fi

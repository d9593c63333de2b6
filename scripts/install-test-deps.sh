#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: real peers (mosquitto as the cloud broker,
# pymodbus as a Modbus device, sipp as a GB28181 camera, ffmpeg for camera streams and the video
# relay) and Chromium for the console tests.
# Idempotent: skips apt entirely when everything is already there.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
# The Modbus tests run pymodbus's serial (RTU) server too: pyserial and serial-asyncio are only
# python3-pymodbus, so it is named, and both are checked the way the tests import them.
/usr/bin/python3 -c 'import pymodbus' >/dev/null 2>&1 || need+=(python3-pymodbus)
/usr/bin/python3 -c 'import serial' >/dev/null 2>&1 || need+=(python3-serial)
/usr/bin/python3 -c 'import serial_asyncio' >/dev/null 2>&1 || need+=(python3-serial-asyncio)
check_pymodbus() { /usr/bin/python3 -c 'from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer' >/dev/null 2>&1; }
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
# ffmpeg: the camera simulators' test-pattern streams, the box's video relay, and the tests that
# decode what was relayed.
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
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
# Checked the way test/modbus/fixtures/pymodbus_server.py imports it (serial server included).
check_pymodbus || { echo "pymodbus cannot start its TCP and serial servers: $(/usr/bin/python3 -c 'from pymodbus.server import StartAsyncSerialServer' 2>&1 | tail -1)" >&2; exit 1; }
# Checked the way the simulators use it: an H.264 test pattern encoded into MPEG-PS.
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=320x240:rate=25 -frames:v 5 -c:v libx264 -f vob -y /dev/null \
  || { echo "ffmpeg cannot encode an H.264 test pattern (libx264)" >&2; exit 1; }

#!/bin/sh
# What the browser tests (tests/browser) need from Debian, installed by `make test` when missing:
# Chromium and its driver, which Playwright drives, and a Chinese font for the screenshots;
# poppler-utils (pdftotext, pdffonts, pdftoppm), with which the PDF tests read what Kesu wrote.
#
# As root it runs apt-get, waiting up to KESU_APT_LOCK_WAIT seconds (120) for another package
# manager (apt, unattended-upgrades) to finish instead of failing at once; otherwise, and on
# any failure, it says what to run by hand. Nothing is installed when all is there already.
set -u
PACKAGES="chromium chromium-driver fonts-wqy-microhei poppler-utils"
WAIT="${KESU_APT_LOCK_WAIT:-120}"
BY_HAND="sudo apt-get update && sudo apt-get install $PACKAGES"

present() {
	command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 &&
		fc-list :lang=zh 2>/dev/null | grep -q . && command -v pdftotext >/dev/null 2>&1
}

present && exit 0
echo "make test: the browser tests need Chromium, its driver and a Chinese font:"
echo "  Debian packages $PACKAGES (about 300 MB, once)."
if [ "$(id -u)" != 0 ]; then
	echo "make test: not root, so they are not installed here. Run, then make test again:"
	echo "  $BY_HAND"
	exit 1
fi
echo "make test: installing them with apt-get (waiting up to ${WAIT} s for another package"
echo "  manager to finish; KESU_APT_LOCK_WAIT sets how long)..."

log=$(mktemp)
apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$WAIT" -y -q "$@" >>"$log" 2>&1
}
if { apt install $PACKAGES || { apt update && apt install $PACKAGES; }; } && present; then
	rm -f "$log"
	echo "make test: installed $PACKAGES."
	exit 0
fi
echo "make test: could not install $PACKAGES. apt-get said:"
tail -n 6 "$log" | sed 's/^/  | /'
if grep -q -e "Could not get lock" -e "is held by process" -e "Unable to acquire" "$log"; then
	echo "make test: another package manager held its lock for more than ${WAIT} s."
	echo "  Wait for it to finish (or set KESU_APT_LOCK_WAIT higher) and run make test again."
fi
rm -f "$log"
echo "make test: or install them by hand, then run make test again:"
echo "  $BY_HAND"
exit 1

#!/usr/bin/env bash
# Benchmark of signature verification (not a test): `vanthu verify` as a whole process against
# `openssl dgst -sha256`, poppler's `pdfsig` and pyHanko's validation API, on the same 10 MB and
# 100 MB single-signature PDFs, in one run; prints the median wall times, the ratios to
# `openssl dgst -sha256`, and vanthu's peak RSS (/usr/bin/time -v).
#
#   benches/verify.sh            # release build, 7 runs each
#   RUNS=3 benches/verify.sh
#
# Needs openssl, pdfsig, /usr/bin/time and the peers' Python with pyHanko (PEERS_VENV, default
# /opt/vanthu-peers; ../shared/tools/setup-peers installs them). The PDFs are generated here: a
# page showing one incompressible DeviceGray image of the wanted size, signed (PAdES) by pyHanko
# with a P-256 key of a fresh development PKI (`vanthu pki dev-init`).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
PEERS_VENV=${PEERS_VENV:-/opt/vanthu-peers}
PY="$PEERS_VENV/bin/python"
PYHANKO="$PEERS_VENV/bin/pyhanko"
TARGET=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin vanthu
VANTHU="$TARGET/release/vanthu"

"$VANTHU" pki dev-init --out "$work/pki" --algorithm p256 >/dev/null
root="$work/pki/root.cert.pem"
person_cert=$(ls "$work"/pki/people/*.cert.pem | head -1)
person_key=${person_cert%.cert.pem}.key.pem

# A one-page PDF whose page draws an image of SIZE random bytes (width x height, 8-bit gray).
make_pdf() {
  "$PY" - "$1" "$2" <<'PY'
import os, sys
size, out = int(sys.argv[1]), sys.argv[2]
width = 4096
height = max(1, size // width)
data = os.urandom(width * height)
content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (612, 792)
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % (width, height, len(data)) + data + b"\nendstream",
]
pdf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
offsets = []
for number, body in enumerate(objects, start=1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for offset in offsets:
    pdf += b"%010d 00000 n \n" % offset
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(out, "wb").write(pdf)
PY
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Median wall time in milliseconds of a command, over RUNS runs (after one warm-up).
time_ms() {
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
  done | median
}

# pyHanko's validation API, timed inside the process (interpreter start-up left out).
pyhanko_api_ms() {
  "$PY" - "$1" "$root" "$RUNS" <<'PY'
import statistics, sys, time
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext
path, root, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ValidationContext(trust_roots=[load_cert_from_pemder(root)])
def once():
    with open(path, "rb") as handle:
        reader = PdfFileReader(handle)
        status = validate_pdf_signature(reader.embedded_signatures[0], context)
        assert status.bottom_line, status.pretty_print_details()
once()
times = []
for _ in range(runs):
    start = time.perf_counter()
    once()
    times.append((time.perf_counter() - start) * 1000)
print(round(statistics.median(times)))
PY
}

printf '%-8s %10s %14s %10s %10s %14s %12s\n' size "openssl ms" "vanthu ms (x)" "pdfsig ms" "(x)" "pyHanko API ms" "vanthu RSS"
for mb in 10 100; do
  unsigned="$work/unsigned-$mb.pdf"
  signed="$work/signed-$mb.pdf"
  make_pdf $((mb * 1000 * 1000)) "$unsigned"
  "$PYHANKO" sign addsig --field Sig1 --use-pades pemder --no-pass --key "$person_key" \
    --cert "$person_cert" --chain "$work/pki/intermediate.cert.pem" "$unsigned" "$signed" >/dev/null
  "$VANTHU" verify --trust "$root" "$signed" >/dev/null || {
    echo "vanthu does not accept the benchmark file" >&2
    "$VANTHU" verify --lang en --trust "$root" "$signed" >&2
    exit 1
  }
  openssl_ms=$(time_ms openssl dgst -sha256 "$signed")
  vanthu_ms=$(time_ms "$VANTHU" verify --trust "$root" "$signed")
  pdfsig_ms=$(time_ms pdfsig "$signed")
  pyhanko_ms=$(pyhanko_api_ms "$signed")
  rss_kb=$(/usr/bin/time -v "$VANTHU" verify --trust "$root" "$signed" 2>&1 >/dev/null |
    awk -F': ' '/Maximum resident set size/ { print $2 }')
  ratio() { awk -v a="$1" -v b="$openssl_ms" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
  printf '%-8s %10s %8s (%sx) %10s %9sx %14s %9s MiB\n' "${mb} MB" "$openssl_ms" "$vanthu_ms" \
    "$(ratio "$vanthu_ms")" "$pdfsig_ms" "$(ratio "$pdfsig_ms")" "$pyhanko_ms" \
    "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
done

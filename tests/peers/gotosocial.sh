#!/usr/bin/env bash
# Builds GoToSocial from source for puentes-bench, which then runs its read scenarios
# against GoToSocial too, one after the other on the same core with the same load generator:
#
#   bash tests/peers/gotosocial.sh /path/to/gotosocial-v0.19.2   # prints the binary's path
#   PUENTES_BENCH_GOTOSOCIAL=/path/to/gotosocial-v0.19.2/gotosocial \
#     target/release/puentes-bench
#
# The source is a checkout of GoToSocial v0.19.2 (the last release that builds with the Go
# of Debian bookworm-backports, 1.23); its dependencies are vendored, so no Go module proxy
# is needed. Nothing of GoToSocial is kept in this repository.
set -euo pipefail
src=$(cd "${1:?usage: gotosocial.sh GOTOSOCIAL_SOURCE_DIR}" && pwd)
go=/usr/lib/go-1.23/bin/go
if [ ! -x "$go" ]; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' \
    >/etc/apt/sources.list.d/bookworm-backports.list
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports golang-1.23-go >/dev/null
fi
cd "$src"
# Some mirrors drop ffmpeg's WebAssembly blob (70 MB, used only to process media). The
# benchmark reads JSON documents only: an empty stand-in lets the package build, and
# GTS_BENCH_NO_FFMPEG (set by puentes-bench) skips compiling it at start.
wasm=vendor/codeberg.org/gruf/go-ffmpreg/embed/ffmpreg.wasm.gz
if [ ! -s "$wasm" ]; then
  printf '' | gzip >"$wasm"
fi
server=cmd/gotosocial/action/server/server.go
if ! grep -q GTS_BENCH_NO_FFMPEG "$server"; then
  python3 - "$server" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
start = "func compileWASM(ctx context.Context) error {\n"
assert start in text, "compileWASM not found: not GoToSocial v0.19?"
text = text.replace(start, start + '\tif os.Getenv("GTS_BENCH_NO_FFMPEG") != "" {\n\t\treturn nil\n\t}\n', 1)
open(path, "w").write(text)
PY
fi
GOTOOLCHAIN=local GOFLAGS=-mod=vendor CGO_ENABLED=0 \
  "$go" build -trimpath -tags "netgo osusergo static_build kvformat" -o "$src/gotosocial" ./cmd/gotosocial
echo "$src/gotosocial"

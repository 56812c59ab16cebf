#!/bin/sh
# Compiles the BPF programs (CO-RE) into OUT_DIR. Called by Maven (generate-resources); see ebpf-loader/README.md.
# vmlinux.h is generated from the build machine's kernel BTF rather than pinned: CO-RE relocates every field
# access at load time, so the types only need to name the fields we read, and a 5 MB generated header in git
# would go stale without anyone noticing.
set -eu
SRC_DIR=$(cd "$(dirname "$0")" && pwd)
OUT_DIR=${1:?usage: build.sh OUT_DIR GEN_DIR}
GEN_DIR=${2:?usage: build.sh OUT_DIR GEN_DIR}
BTF=${SLUICE_BTF:-/sys/kernel/btf/vmlinux}

fail() { echo "ebpf-loader build: $*" >&2; exit 1; }
command -v clang >/dev/null 2>&1 || fail "clang not found: install it (apt-get install -y clang llvm), or run scripts/prereqs.sh via ./sluice test"
command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || fail "bpftool not found: apt-get install -y bpftool"
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
[ -r "$BTF" ] || fail "no kernel BTF at $BTF (needs CONFIG_DEBUG_INFO_BTF=y); set SLUICE_BTF to a BTF file to build elsewhere"
[ -r /usr/include/bpf/bpf_helpers.h ] || fail "libbpf headers missing: apt-get install -y libbpf-dev"

mkdir -p "$OUT_DIR" "$GEN_DIR"
if [ ! -s "$GEN_DIR/vmlinux.h" ] || [ "$BTF" -nt "$GEN_DIR/vmlinux.h" ]; then
  "$BPFTOOL" btf dump file "$BTF" format c > "$GEN_DIR/vmlinux.h.tmp" || fail "bpftool could not dump $BTF"
  mv "$GEN_DIR/vmlinux.h.tmp" "$GEN_DIR/vmlinux.h"
fi
ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
for prog in sluice probe; do
  clang -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_"$ARCH" -I"$GEN_DIR" -I"$SRC_DIR" \
    -c "$SRC_DIR/$prog.bpf.c" -o "$OUT_DIR/$prog.bpf.o" || fail "clang failed on $prog.bpf.c"
done

# Installs what Sluice needs from Debian's packages when it is missing. Sourced by ./sluice.

# Build tools: a JDK 17 and Maven.
ensure_build_tools() {
  local missing=()
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  # ebpf-loader compiles its BPF C (clang -target bpf) against libbpf's headers and a vmlinux.h from bpftool.
  command -v clang >/dev/null 2>&1 || missing+=(clang llvm)
  [ -r /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
  command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || missing+=(bpftool)
  install_packages "${missing[@]}"
}

# What the test suite runs for real: ClickHouse, and the peers it compares against.
ensure_test_packages() {
  local missing=()
  [ -x /usr/sbin/clickhouse-server ] || [ -x /usr/bin/clickhouse-server ] || missing+=(clickhouse-server)
  command -v tshark >/dev/null 2>&1 || missing+=(tshark)
  command -v softflowd >/dev/null 2>&1 || missing+=(softflowd)
  [ -x /usr/sbin/nfacctd ] || missing+=(pmacct) # NfacctdAgreementTest: a second flow decoder
  command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client) # deploy-check: kubectl kustomize
  # ebpf-loader's namespace tests: veth + tc, a DNS and an HTTP server, and their clients.
  { command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1; } || [ -x /usr/sbin/tc ] || missing+=(iproute2)
  command -v unbound >/dev/null 2>&1 || [ -x /usr/sbin/unbound ] || missing+=(unbound)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v dig >/dev/null 2>&1 || missing+=(dnsutils)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v tcpreplay >/dev/null 2>&1 || missing+=(tcpreplay) # raw IPv6 and VLAN frames for FrameLayoutsTest
  # ConnectionsLiveTest: a fixed delay through NFQUEUE and random loss (iptables-legacy; kernels without netem)
  [ -x /usr/sbin/iptables-legacy ] || missing+=(iptables)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v ping >/dev/null 2>&1 || missing+=(iputils-ping) # FlowProcessesLiveTest: fills softflowd's capture blocks
  command -v npm >/dev/null 2>&1 || missing+=(npm) # fetches chDB (ensure_chdb)
  # jobs' HTTP/2 and TLS capture tests: h2load/nghttp drive nginx's h2c; nghttpd adds gRPC-style trailers.
  command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
  command -v nghttpd >/dev/null 2>&1 || [ -x /usr/sbin/nghttpd ] || missing+=(nghttp2-server)
  # H2cUpgradeCaptureTest: nghttpx accepts HTTP/1.1 Upgrade: h2c (nghttpd and nginx answer only prior knowledge).
  command -v nghttpx >/dev/null 2>&1 || [ -x /usr/sbin/nghttpx ] || missing+=(nghttp2-proxy)
  # TlsCaptureTest, Http2JobTest: openssl s_server/s_client with TLS 1.2 and 1.3
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  install_packages "${missing[@]}"
  ensure_chdb
}

# ClickHouse 26.7 for the tests, in-process: chDB's libchdb.so from the npm package, unpacked once into a cache
# outside the repository (io.sluice.store.chdb.Chdb looks there; -Dsluice.chdb.lib or $SLUICE_CHDB_LIB override it).
CHDB_VERSION=26.7.3-stable.1
ensure_chdb() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/sluice/chdb/$CHDB_VERSION"
  [ -s "$dir/libchdb.so" ] && return 0
  echo "sluice: fetching chDB $CHDB_VERSION (ClickHouse 26.7 for the tests, 178 MB) ..." >&2
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >/dev/null) \
    && tar -xzf "$tmp"/chdb-lib-linux-x64-gnu-"$CHDB_VERSION".tgz -C "$tmp" package/libchdb.so \
    && mkdir -p "$dir" && mv "$tmp/package/libchdb.so" "$dir/libchdb.so.part" && mv "$dir/libchdb.so.part" "$dir/libchdb.so"
  local status=$?
  rm -rf "$tmp"
  if [ "$status" -ne 0 ]; then
    echo "sluice: could not fetch chDB; retry with: bash scripts/prereqs.sh chdb" >&2
    exit 1
  fi
}

# What `sluice demo` runs: ClickHouse, setsid (its background processes get their own session), and for the part
# it runs as root, softflowd and ip (a network namespace joined by a veth), and for live DNS/HTTP through eBPF
# unbound, nginx, dig and curl (only root runs that part, so only root is asked for them).
ensure_demo_packages() {
  local missing=()
  command -v softflowd >/dev/null 2>&1 || [ -x /usr/sbin/softflowd ] || missing+=(softflowd)
  if [ "$(id -u)" -eq 0 ]; then
    [ -x /usr/sbin/unbound ] || missing+=(unbound)
    [ -x /usr/sbin/nginx ] || missing+=(nginx)
    [ -x /usr/bin/dig ] || missing+=(dnsutils)
    [ -x /usr/bin/curl ] || missing+=(curl)
    [ -x /usr/bin/openssl ] || missing+=(openssl)
  fi
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  [ -x /usr/sbin/clickhouse-server ] || [ -x /usr/bin/clickhouse-server ] || missing+=(clickhouse-server)
  command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
  install_packages "${missing[@]}"
}

install_packages() {
  [ "$#" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "sluice: missing packages: $*" >&2
    echo "sluice: install them with: sudo apt-get update && sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "sluice: installing $* ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q "$@" >&2
}

# Run directly, it installs one thing: bash scripts/prereqs.sh chdb
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    chdb) ensure_chdb ;;
    *) echo "usage: bash scripts/prereqs.sh chdb" >&2; exit 2 ;;
  esac
fi

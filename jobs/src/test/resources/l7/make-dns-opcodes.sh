#!/usr/bin/env bash
# Makes dns-opcodes.pcap (DnsOpcodesTest): a bind9 primary on 127.0.16.1 answering dynamic updates (nsupdate, over
# UDP and TCP), NOTIFY, STATUS and question-less queries (dig), captured on lo with dumpcap. Needs root, bind9,
# dnsutils and tshark. Usage: make-dns-opcodes.sh OUT.pcap
set -euo pipefail
out=$(realpath -m "$1")
d=$(mktemp -d)
cap=$(mktemp -d)
cat > "$d/named.conf" <<EOF
options { directory "$d"; listen-on port 53 { 127.0.16.1; }; listen-on-v6 { none; }; pid-file "$d/named.pid";
  recursion no; dnssec-validation no; notify no; };
controls { };
zone "example.test" { type primary; file "$d/example.test.zone"; allow-update { 127.0.0.0/8; }; };
EOF
cat > "$d/example.test.zone" <<'EOF'
$TTL 300
@   IN SOA ns1.example.test. admin.example.test. ( 1 3600 600 86400 300 )
    IN NS ns1
ns1 IN A 127.0.16.1
old IN A 10.9.9.9
www IN A 10.0.0.80
EOF
ip addr add 127.0.16.1/32 dev lo 2>/dev/null || true
chown -R bind:bind "$d"
named -c "$d/named.conf" -u bind -g > "$d/named.log" 2>&1 &
named_pid=$!
dumpcap -q -P -i lo -f "host 127.0.16.1" -w "$cap/c.pcap" 2> "$cap/dumpcap.log" &
dumpcap_pid=$!
trap 'kill $named_pid $dumpcap_pid 2>/dev/null || true; rm -rf "$d" "$cap"' EXIT
sleep 2
upd() { nsupdate "$@" || true; }
# UPDATE over UDP: prerequisite NXDOMAIN (class NONE, rdlength 0), an add; then prerequisite YXRRSET (class ANY),
# a delete of an RRset (class ANY, rdlength 0); then a failing prerequisite (YXDOMAIN, answered NXDOMAIN).
printf 'server 127.0.16.1\nzone example.test\nprereq nxdomain new.example.test\nupdate add new.example.test 300 A 10.1.2.3\nsend\n' | upd
printf 'server 127.0.16.1\nzone example.test\nprereq yxrrset old.example.test A\nupdate delete old.example.test A\nsend\n' | upd
printf 'server 127.0.16.1\nzone example.test\nprereq yxdomain nothere.example.test\nupdate delete new.example.test\nsend\n' | upd
# UPDATE over TCP: delete one record (class NONE with its rdata), add a TXT.
printf 'server 127.0.16.1\nzone example.test\nupdate delete www.example.test A 10.0.0.80\nupdate add www2.example.test 300 TXT "over tcp"\nsend\n' | upd -v
dig +tries=1 +opcode=notify @127.0.16.1 example.test SOA > /dev/null || true
dig +tries=1 +header-only +opcode=status @127.0.16.1 > /dev/null || true
dig +tries=1 +header-only @127.0.16.1 > /dev/null || true
dig +tries=1 +opcode=status @127.0.16.1 example.test > /dev/null || true
dig +tries=1 +tcp +header-only +opcode=status @127.0.16.1 > /dev/null || true
sleep 1
kill $dumpcap_pid
wait $dumpcap_pid 2>/dev/null || true
cp "$cap/c.pcap" "$out"

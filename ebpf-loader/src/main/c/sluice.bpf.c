// SPDX-License-Identifier: GPL-2.0
/* Packet capture (tc), socket attribution (tracepoints). The loader picks which programs load. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "events.h"
#include "maps.h"

char LICENSE[] SEC("license") = "GPL";

/* The capture only watches: "no verdict" lets the packet go on to the next program (a later tcx link, then every clsact
 * filter) and, after the last, on its way. TC_ACT_OK (0) would be a verdict: as a tcx link it would skip every
 * program and filter after ours, other tools' included (FollowingProgramsTest). */
#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define AF_INET_ 2
#define AF_INET6_ 10

struct l4 {
  __u8 proto;
  __u8 family;
  __u16 sport;   /* host order */
  __u16 dport;
  __u8 saddr[16];
  __u8 daddr[16];
  __u8 tcp_flags;
  __u32 l3_off;       /* where the IP header starts */
  __u32 payload_off;  /* where L4 payload starts, from the start of the frame */
  __u32 ip_len;       /* IPv4 total length or IPv6 payload length; 0 for a GSO packet that does not say */
  __u32 tcp_off;      /* where the TCP header starts */
  __u32 seq;          /* TCP sequence and acknowledgement numbers, host order */
  __u32 ack;
};

/* How much of a frame capture() reads first, to parse it: Ethernet with one VLAN tag (18), IPv4 with the longest
 * options (60) and the 14 TCP bytes read below is 92; with IPv6 (40) it is 72. */
#define HDR_PEEK 128

/* Parses IPv4/IPv6 + TCP/UDP ports from f (head bytes of the frame) starting at off. Returns 0 when the packet has
 * ports. Reading a copy, not the skb, costs no helper call per header. */
static __always_inline int parse_frame(const __u8 *f, __u32 head, __u32 off, __u16 eth_proto, struct l4 *out)
{
  __u32 l4off;
  out->l3_off = off;
  if (eth_proto == ETH_P_IP) {
    struct iphdr ip;
    if (off + sizeof(ip) > head)
      return -1;
    __builtin_memcpy(&ip, f + off, sizeof(ip));
    if (bpf_ntohs(ip.frag_off) & 0x1fff)  /* later fragments carry no ports */
      return -1;
    out->family = AF_INET_;
    out->proto = ip.protocol;
    out->ip_len = bpf_ntohs(ip.tot_len);
    __builtin_memcpy(out->saddr, &ip.saddr, 4);
    __builtin_memcpy(out->daddr, &ip.daddr, 4);
    l4off = off + ip.ihl * 4;
  } else if (eth_proto == ETH_P_IPV6) {
    struct ipv6hdr ip6;
    if (off + sizeof(ip6) > head)
      return -1;
    __builtin_memcpy(&ip6, f + off, sizeof(ip6));
    out->family = AF_INET6_;
    out->proto = ip6.nexthdr;  /* extension headers are not walked */
    out->ip_len = bpf_ntohs(ip6.payload_len);
    __builtin_memcpy(out->saddr, &ip6.saddr, 16);
    __builtin_memcpy(out->daddr, &ip6.daddr, 16);
    l4off = off + sizeof(ip6);
  } else {
    return -1;
  }
  if (out->proto == IPPROTO_UDP_) {
    __u16 p[2];
    if (l4off + sizeof(p) > head)
      return -1;
    __builtin_memcpy(p, f + l4off, sizeof(p));
    out->sport = bpf_ntohs(p[0]);
    out->dport = bpf_ntohs(p[1]);
    out->payload_off = l4off + 8;
    return 0;
  }
  if (out->proto != IPPROTO_TCP_)
    return -1;
  struct { __u16 sport, dport; __u32 seq, ack; __u8 doff, flags; } tcp;  /* the first 14 bytes */
  if (l4off + 14 > head)
    return -1;
  __builtin_memcpy(&tcp, f + l4off, 14);
  out->sport = bpf_ntohs(tcp.sport);
  out->dport = bpf_ntohs(tcp.dport);
  out->payload_off = l4off + (tcp.doff >> 4) * 4;
  out->tcp_flags = tcp.flags;
  out->tcp_off = l4off;
  out->seq = bpf_ntohl(tcp.seq);
  out->ack = bpf_ntohl(tcp.ack);
  return 0;
}

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

/* A TCP segment with no payload and no SYN, FIN or RST: it only acknowledges. The L7 job uses TCP for stream
 * boundaries (SYN, FIN, RST), sequence numbers and payload; an acknowledgement without payload only lets it give
 * up on a capture hole sooner (the peer's next segment, FIN or the close do too) and keeps an otherwise silent
 * connection from its idle timeout (ebpf-loader/README.md). Its length comes from the IP header, not skb->len:
 * short frames are padded on the wire. */
static __always_inline int pure_ack(struct __sk_buff *skb, const struct l4 *t)
{
  if (t->proto != IPPROTO_TCP_ || (t->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST)))
    return 0;
  __u32 l3_end = skb->len;  /* a GSO packet with no length in its header is never empty */
  if (t->ip_len) {
    /* IPv4 counts from the IP header, IPv6 from after its fixed header (40 bytes before the TCP header). */
    __u32 l3_start = t->family == AF_INET_ ? t->l3_off : t->l3_off + 40;
    l3_end = l3_start + t->ip_len;
  }
  return l3_end <= t->payload_off;
}

static __always_inline int cidr_match(const struct l4 *t)
{
  if (t->family == AF_INET_) {
    struct lpm4 k = {.prefixlen = 32};
    __builtin_memcpy(k.addr, t->saddr, 4);
    if (bpf_map_lookup_elem(&cidrs4, &k))
      return 1;
    __builtin_memcpy(k.addr, t->daddr, 4);
    return bpf_map_lookup_elem(&cidrs4, &k) != 0;
  }
  struct lpm6 k6 = {.prefixlen = 128};
  __builtin_memcpy(k6.addr, t->saddr, 16);
  if (bpf_map_lookup_elem(&cidrs6, &k6))
    return 1;
  __builtin_memcpy(k6.addr, t->daddr, 16);
  return bpf_map_lookup_elem(&cidrs6, &k6) != 0;
}

static __always_inline int port_in(const struct port_set *set, __u16 port)
{
  return (set->bits[port >> 6] >> (port & 63)) & 1;
}

static __always_inline int wanted(const struct sluice_config *cfg, const struct l4 *t)
{
  if (!(cfg->flags & CFG_ALL_PORTS)) {
    __u32 zero = 0;
    const struct port_set *set = bpf_map_lookup_elem(&ports, &zero);
    if (!set || (!port_in(set, t->sport) && !port_in(set, t->dport)))
      return 0;
  }
  return !(cfg->flags & CFG_CIDRS) || cidr_match(t);
}

/* Writes the packet record of the first cap bytes in s->data, timed ts_ns (0: now); 1 when the ring buffer was full. */
static __always_inline int output(struct __sk_buff *skb, struct packet_scratch *s, const struct sluice_config *cfg,
                                  __u8 direction, __u32 cap, __u32 orig_len, __u64 ts_ns)
{
  __u64 n = cap;
  asm volatile("" : "+r"(n));  /* one register the verifier bounds */
  if (n > MAX_SNAP)
    return 0;
  s->hdr.type = REC_PACKET;
  s->hdr.direction = direction;
  s->hdr.cap_len = n;
  s->hdr.ifindex = skb->ifindex;
  s->hdr.orig_len = orig_len;
  s->hdr.pad = 0;
  s->hdr.ts_ns = ts_ns ? ts_ns : bpf_ktime_get_ns();
  s->hdr.cgroup_id = direction == 2 ? bpf_skb_cgroup_id(skb) : 0;
  return bpf_ringbuf_output(&events, s, sizeof(s->hdr) + n, ring_wakeup(cfg)) != 0;
}

#include "h2.h"
#include "tls.h"

static __always_inline int capture(struct __sk_buff *skb, __u8 direction)
{
  __u32 zero = 0;
  bump(C_SEEN);
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  if (!cfg)
    return TC_ACT_UNSPEC;
  struct packet_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s)
    return TC_ACT_UNSPEC;
  /* One copy of the head of the frame to parse (headers read from the copy, no helper call each), and, for a packet
   * kept, a second one of the rest of what is captured. */
  __u64 head = skb->len;
  asm volatile("" : "+r"(head));  /* one read of len, bounded below: clang would otherwise read it twice */
  if (head > HDR_PEEK)
    head = HDR_PEEK;
  if (head < 14 || bpf_skb_load_bytes(skb, 0, s->data, head))
    return TC_ACT_UNSPEC;
  __u16 eth_proto;
  __u32 off = 14;
  __builtin_memcpy(&eth_proto, s->data + 12, 2);
  eth_proto = bpf_ntohs(eth_proto);
  if (eth_proto == ETH_P_8021Q || eth_proto == ETH_P_8021AD) {
    if (head < 18)
      return TC_ACT_UNSPEC;
    __builtin_memcpy(&eth_proto, s->data + 16, 2);
    eth_proto = bpf_ntohs(eth_proto);
    off = 18;
  }
  struct l4 t = {};
  if (parse_frame(s->data, head, off, eth_proto, &t) || !wanted(cfg, &t))
    return TC_ACT_UNSPEC;
  if ((cfg->flags & CFG_SKIP_PURE_ACKS) && pure_ack(skb, &t)) {
    bump(C_PURE_ACKS);
    return TC_ACT_UNSPEC;
  }
  if ((cfg->flags & CFG_H2_FRAMES) && h2_capture(skb, s, &t, head, direction))
    return TC_ACT_UNSPEC;

  __u32 snap = cfg->snap_len;
  if (cfg->flags & CFG_TLS_HANDSHAKES) {
    int keep = tls_capture(skb, s, &t, head, snap, direction);
    if (keep < 0)
      return TC_ACT_UNSPEC;
    snap = keep;
  }

  /* snap_len counts payload bytes: every header is kept whole. */
  __u64 cap = skb->len;
  if (cap > t.payload_off + snap)
    cap = t.payload_off + snap;
  asm volatile("" : "+r"(cap));  /* keeps clang from folding the checks below into a form the verifier cannot bound */
  if (cap > MAX_SNAP)
    cap = MAX_SNAP;
  if (cap < 1)
    return TC_ACT_UNSPEC;
  if (cap > HDR_PEEK) {  /* then head is HDR_PEEK: the frame is longer */
    __u64 rest = cap - HDR_PEEK;
    asm volatile("" : "+r"(rest));
    if (rest > MAX_SNAP - HDR_PEEK)
      rest = MAX_SNAP - HDR_PEEK;
    if (rest < 1 || bpf_skb_load_bytes(skb, HDR_PEEK, s->data + HDR_PEEK, rest))
      return TC_ACT_UNSPEC;
  }
  bump(output(skb, s, cfg, direction, cap, skb->len, 0) ? C_RB_FULL : C_CAPTURED);
  return TC_ACT_UNSPEC;
}

SEC("tc")
int capture_ingress(struct __sk_buff *skb) { return capture(skb, 1); }

SEC("tc")
int capture_egress(struct __sk_buff *skb) { return capture(skb, 2); }

#include "sockets.h"

/* TLS handshakes kept whole, whatever the snap (ebpf-loader/README.md, "TLS handshakes and the snap"). A TCP segment
 * whose payload starts with a TLS record header of a ClientHello marks its connection: the first TLS_KEEP bytes of
 * each direction (the client's from the ClientHello on, the server's from that segment's acknowledgement number) are
 * captured whole, past the snap, in several records when one cannot hold them (h2_emit); later bytes go by the snap.
 * Included by sluice.bpf.c after h2.h. */
#ifndef SLUICE_TLS_H
#define SLUICE_TLS_H

/* Bytes of each direction kept: a ClientHello with post-quantum key shares and many extensions is up to about 2 KB,
 * a second one after a HelloRetryRequest follows it; the server's hello (with a post-quantum share about 1.2 KB)
 * comes first in its flight, before the certificates of TLS 1.2. */
#define TLS_KEEP 4096
/* Records one segment may need for TLS_KEEP bytes: 3 × H2_MAX_KEEP ≥ 4096. */
#define TLS_RECORDS 3

/* A TLS record header of a handshake (22), version 3.x, and a handshake of type 1 (ClientHello) in it. */
static __always_inline int tls_client_hello(const __u8 *p)
{
  __u32 len = (__u32)p[3] << 8 | p[4];
  return p[0] == 22 && p[1] == 3 && p[2] <= 4 && p[5] == 1 && len >= 4 && len <= 16384 + 2048;
}

/* Returns how many payload bytes of this segment to keep: the snap, or more while the segment is in the first
 * TLS_KEEP bytes of a direction of a connection that began with a ClientHello. When those do not fit one record,
 * captures the segment itself in several and returns -1. */
static __always_inline int tls_capture(struct __sk_buff *skb, struct packet_scratch *s, const struct l4 *t, __u32 head,
                                       __u32 snap, __u8 direction)
{
  if (t->proto != IPPROTO_TCP_ || t->payload_off > HDR_PEEK)
    return snap;
  __u32 end = skb->len;  /* a GSO packet whose header gives no length */
  if (t->ip_len)
    end = (t->family == AF_INET_ ? t->l3_off : t->l3_off + 40) + t->ip_len;
  if (end <= t->payload_off)
    return snap;
  __u32 seg_len = end - t->payload_off;
  int hello = seg_len >= 6 && t->payload_off <= HDR_PEEK - 6 && t->payload_off + 6 <= head
      && tls_client_hello(s->data + t->payload_off);
  /* A short segment is kept whole by the snap; a short ClientHello still marks its connection (the server's side). */
  if (!hello && seg_len <= snap)
    return snap;
  __u32 zero = 0;
  struct port_set *tp = bpf_map_lookup_elem(&tls_ports, &zero);
  if (!tp)
    return snap;
  /* Other traffic leaves here, before the hash lookup: only ports seen to receive a ClientHello have ranges. */
  if (!hello && !port_in(tp, t->sport) && !port_in(tp, t->dport))
    return snap;
  struct h2_key k = {};
  h2_key_of(&k, t, 0);
  struct tls_keep *w;
  if (hello) {
    __sync_fetch_and_or(&tp->bits[t->dport >> 6], 1ULL << (t->dport & 63));
    w = bpf_map_lookup_elem(&tls_keeps, &k);
    if (!w || t->seq - w->from >= TLS_KEEP) {  /* not this connection's hello again (a retransmission, a retry) */
      struct tls_keep client = {.from = t->seq, .to = t->seq + TLS_KEEP};
      bpf_map_update_elem(&tls_keeps, &k, &client, BPF_ANY);
      struct tls_keep server = {.from = t->ack, .to = t->ack + TLS_KEEP};
      struct h2_key rk = {};
      h2_key_of(&rk, t, 1);
      bpf_map_update_elem(&tls_keeps, &rk, &server, BPF_ANY);
      bump(C_TLS_HELLOS);
    }
  }
  w = bpf_map_lookup_elem(&tls_keeps, &k);
  if (!w)
    return snap;
  __s32 past = t->seq - w->from;
  __s32 left = w->to - t->seq;
  if (past < 0)
    return snap;
  if (left <= 0) {  /* the direction is past its first bytes: the snap from now on */
    bpf_map_delete_elem(&tls_keeps, &k);
    return snap;
  }
  __u32 keep = (__u32)left < seg_len ? (__u32)left : seg_len;
  if (keep <= snap)
    return snap;
  bump(C_TLS_KEPT);
  if (t->payload_off + keep <= MAX_SNAP)
    return keep;

  h2_segment_of(s, t, &k, seg_len, direction);
  int full = 0;
  for (__u32 i = 0; i < TLS_RECORDS; i++) {
    __u32 start = i * H2_MAX_KEEP;
    if (start >= keep)
      break;
    __u32 n = keep - start;
    int last = n <= H2_MAX_KEEP;
    if (!last)
      n = H2_MAX_KEEP;
    /* the last record kept also carries the rest of the segment, as a hole of known length */
    full |= h2_emit(skb, H2_HOW(0, last), start, n, last ? seg_len - start : n);
  }
  bump(full ? C_RB_FULL : C_CAPTURED);
  return -1;
}

#endif

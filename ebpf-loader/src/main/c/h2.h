/* HTTP/2 header blocks kept whole, whatever the snap (ebpf-loader/README.md, "HTTP/2 header blocks and the snap").
 * On a connection whose client began with the preface, each segment is walked frame by frame: every frame header
 * and every payload but DATA's is kept, and the first snap bytes of the segment as always; the rest of a DATA payload
 * is left out as a hole of known length. Frames span segments,
 * so each direction's next frame header is kept in h2_walks. Included by sluice.bpf.c after struct l4 and output(). */
#ifndef SLUICE_H2_H
#define SLUICE_H2_H

#define H2_PREFACE_LEN 24
/* Frames walked in one segment. A 64 KiB GSO segment of tiny frames would need more; the rest of such a segment
 * becomes a hole and the connection falls back to the snap (counted in C_H2_LOST). */
#define H2_MAX_FRAMES 1024
/* Payload bytes of one record: after headers of at most HDR_PEEK bytes, they fit MAX_SNAP. */
#define H2_MAX_KEEP (MAX_SNAP - HDR_PEEK)

/* Whether the segment's payload starts with a whole SETTINGS frame that is not an acknowledgement, on stream 0: how
 * a server's connection preface begins (RFC 9113, 3.4). Read from the head copy. */
static __always_inline int h2_settings_first(const __u8 *f, __u32 off, __u32 head, __u32 seg_len)
{
  if (off > HDR_PEEK - 9 || off + 9 > head || seg_len < 9)
    return 0;
  __u32 len = (__u32)f[off] << 16 | (__u32)f[off + 1] << 8 | f[off + 2];
  return f[off + 3] == 4 && f[off + 4] == 0 && !f[off + 5] && !f[off + 6] && !f[off + 7] && !f[off + 8]
      && len % 6 == 0 && len <= seg_len - 9;
}

/* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" as three little-endian words. */
static __always_inline int h2_preface(const __u8 *p)
{
  __u64 w[3];
  __builtin_memcpy(w, p, sizeof(w));
  return w[0] == 0x5448202a20495250ULL && w[1] == 0x0a0d302e322f5054ULL && w[2] == 0x0a0d0a0d4d530a0dULL;
}

/* One record of the segment in s->h2: its payload [start, start + wire), of which the first kept bytes are
 * captured and the rest is a hole of known length. The copied headers say so: the TCP sequence number is the
 * range's, the IP length the range's. FIN and RST only on the segment's last record. A global function, so the
 * verifier checks it once. Returns 1 when the ring buffer was full. */
__noinline int h2_emit(struct __sk_buff *skb, __u32 start, __u32 kept, __u32 wire, __u32 last)
{
  __u32 zero = 0;
  struct packet_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  if (!s || !cfg)
    return 0;
  __u32 l3 = s->h2.l3_off, tcp = s->h2.tcp_off, poff = s->h2.payload_off;
  if (l3 > 64 || tcp > HDR_PEEK - 14 || poff > HDR_PEEK || poff < l3 + 40 || kept > H2_MAX_KEEP || kept > wire)
    return 0;
  __u32 seq = bpf_htonl(s->h2.seq + start);
  __builtin_memcpy(s->data + tcp + 4, &seq, 4);
  s->data[tcp + 13] = last ? s->h2.tcp_flags : s->h2.tcp_flags & ~(TCP_FIN | TCP_RST);
  __u16 ip_len;
  if (s->h2.family == AF_INET_) {
    ip_len = bpf_htons(poff - l3 + wire);
    __builtin_memcpy(s->data + l3 + 2, &ip_len, 2);
  } else {
    ip_len = bpf_htons(poff - l3 - 40 + wire);
    __builtin_memcpy(s->data + l3 + 4, &ip_len, 2);
  }
  if (kept) {
    __u64 n = kept;
    asm volatile("" : "+r"(n));  /* as in capture(): one register the verifier can bound */
    if (n > H2_MAX_KEEP)
      n = H2_MAX_KEEP;
    if (n < 1 || bpf_skb_load_bytes(skb, poff + start, s->data + poff, n))
      return 0;
  }
  return output(skb, s, cfg, s->h2.direction, poff + kept, poff + wire);
}

/* What h2_emit needs of the segment whose ranges it writes. */
static __always_inline void h2_segment_of(struct packet_scratch *s, const struct l4 *t, __u8 direction)
{
  s->h2.seq = t->seq;
  s->h2.l3_off = t->l3_off;
  s->h2.tcp_off = t->tcp_off;
  s->h2.payload_off = t->payload_off;
  s->h2.family = t->family;
  s->h2.tcp_flags = t->tcp_flags;
  s->h2.direction = direction;
}

struct h2_step_ctx {
  struct __sk_buff *skb;
  __u32 seq, seg_len, payload_off;
  __u32 snap;               /* the snap: the first bytes of a segment are kept whatever they are */
  __u32 pos;                /* the walk, in the segment's payload */
  __u32 hdr_seq, hdr4, have, data;  /* as in struct h2_walk */
  __u32 rec, kept, holing;  /* the record being built: where it starts, its bytes kept, whether a hole follows them */
  __u32 full;
};

/* One step of the walk (bpf_loop: the verifier checks it once): a frame header, the rest of a split one, or (what
 * this segment holds of) a frame's payload. Returns 1 to stop at the segment's end. */
static long h2_step(__u32 i, void *arg)
{
  struct h2_step_ctx *c = arg;
  if (c->pos >= c->seg_len)
    return 1;
  __u32 room = c->seg_len - c->pos;
  __u32 at = c->seq + c->pos;
  __u32 n;
  int keep = 1;
  if (!c->have && (__s32)(c->hdr_seq - at) > 0) {  /* in a frame's payload */
    n = c->hdr_seq - at;
    if (n > room)
      n = room;
    keep = !c->data;
    if (c->data && c->pos < c->snap) {  /* what the snap keeps of any segment, DATA's too (gRPC's message prefixes) */
      if (n > c->snap - c->pos)
        n = c->snap - c->pos;
      keep = 1;
    }
  } else {  /* at a frame header, or the rest of one split across segments: its first 4 bytes are length and type */
    __u32 have = c->have;
    if (have > 8)
      return 1;
    n = 9 - have;
    if (n > room)
      n = room;
    __u32 off = c->payload_off + c->pos;
    if (have == 0 && n >= 4) {
      __u32 v;
      if (bpf_skb_load_bytes(c->skb, off, &v, 4))
        return 1;
      c->hdr4 = bpf_ntohl(v);
    } else {
      for (__u32 j = have; j < 4 && j < have + n; j++) {
        __u8 b;
        if (bpf_skb_load_bytes(c->skb, off + j - have, &b, 1))
          return 1;
        c->hdr4 = c->hdr4 << 8 | b;
      }
    }
    c->have = have + n;
    if (c->have == 9) {
      c->hdr_seq += 9 + (c->hdr4 >> 8);
      c->data = (c->hdr4 & 0xff) == 0;
      c->have = 0;
      c->hdr4 = 0;
    }
  }
  if (keep) {
    if (n > H2_MAX_KEEP)
      n = H2_MAX_KEEP;
    if (c->holing || c->kept + n > H2_MAX_KEEP) {
      c->full |= h2_emit(c->skb, c->rec, c->kept, c->pos - c->rec, 0);
      c->rec = c->pos;
      c->kept = 0;
      c->holing = 0;
    }
    c->kept += n;
  } else {
    c->holing = 1;
  }
  c->pos += n;
  return 0;
}

static __always_inline void h2_key_of(struct h2_key *k, const struct l4 *t, int reverse)
{
  __builtin_memcpy(k->saddr, reverse ? t->daddr : t->saddr, 16);
  __builtin_memcpy(k->daddr, reverse ? t->saddr : t->daddr, 16);
  k->sport = reverse ? t->dport : t->sport;
  k->dport = reverse ? t->sport : t->dport;
}

/* Captures a TCP segment of a connection that began with the preface, frame by frame, and returns 1; returns 0 to
 * leave it to the snap: another connection, a segment walked before (a retransmission, or the same packet on
 * another interface), or one after bytes the capture never saw that held a frame header (the walk is lost). */
static __always_inline int h2_capture(struct __sk_buff *skb, struct packet_scratch *s, const struct l4 *t, __u32 head,
                                      __u32 snap, __u8 direction)
{
  if (t->proto != IPPROTO_TCP_ || !t->ip_len || t->payload_off > HDR_PEEK)
    return 0;
  __u32 end = (t->family == AF_INET_ ? t->l3_off : t->l3_off + 40) + t->ip_len;
  if (end <= t->payload_off)
    return 0;
  __u32 seg_len = end - t->payload_off;
  __u32 zero = 0;
  struct port_set *h2p = bpf_map_lookup_elem(&h2_ports, &zero);
  if (!h2p)
    return 0;
  int preface = seg_len >= H2_PREFACE_LEN && t->payload_off <= HDR_PEEK - H2_PREFACE_LEN
      && t->payload_off + H2_PREFACE_LEN <= head && h2_preface(s->data + t->payload_off);
  int settings = !preface && h2_settings_first(s->data, t->payload_off, head, seg_len);
  /* Other traffic leaves here, before the hash lookup: only ports seen to serve HTTP/2 have walks. */
  if (!preface && !settings && !port_in(h2p, t->sport) && !port_in(h2p, t->dport))
    return 0;
  struct h2_key k = {};
  h2_key_of(&k, t, 0);
  struct h2_walk *w;
  if (preface) {
    __sync_fetch_and_or(&h2p->bits[t->dport >> 6], 1ULL << (t->dport & 63));
    w = bpf_map_lookup_elem(&h2_walks, &k);
    if (!w || w->walked_to - t->seq - 1 >= (1 << 20)) {  /* not this preface again */
      struct h2_walk client = {.start = t->seq, .hdr_seq = t->seq + H2_PREFACE_LEN, .walked_to = t->seq};
      bpf_map_update_elem(&h2_walks, &k, &client, BPF_ANY);
      /* The server's frames start with what the client has not acknowledged yet: its SETTINGS, at the latest. That
       * SETTINGS may have passed here already, before its acknowledgement made it into this preface (the client's
       * TCP had not taken it in yet when it sent the preface): then a walk began at it, at this acknowledgement, and
       * goes on. */
      struct h2_key rk = {};
      h2_key_of(&rk, t, 1);
      struct h2_walk *rw = bpf_map_lookup_elem(&h2_walks, &rk);
      if (!rw || rw->start != t->ack) {
        struct h2_walk server = {.start = t->ack, .hdr_seq = t->ack, .walked_to = t->ack};
        bpf_map_update_elem(&h2_walks, &rk, &server, BPF_ANY);
      }
    }
  } else if (settings && !bpf_map_lookup_elem(&h2_walks, &k)) {
    /* A SETTINGS frame first in a segment of a direction with no walk: a server's connection preface, maybe before
     * the client's was seen here. Walked from there; the client's preface keeps the walk if it began at its ack. */
    struct h2_walk server = {.start = t->seq, .hdr_seq = t->seq, .walked_to = t->seq};
    bpf_map_update_elem(&h2_walks, &k, &server, BPF_NOEXIST);
  }
  w = bpf_map_lookup_elem(&h2_walks, &k);
  if (!w)
    return 0;
  __s32 behind = w->walked_to - t->seq;
  if (behind >= (__s32)seg_len)
    return 0;
  __u32 pos = behind > 0 ? behind : 0;
  __u32 hdr_seq = w->hdr_seq, hdr4 = w->hdr4, have = w->have, data = w->data;
  if (behind < 0 && (have || (__s32)(t->seq - hdr_seq) > 0)) {
    bpf_map_delete_elem(&h2_walks, &k);
    bump(C_H2_LOST);
    bump(C_H2_LOST_GAP);
    return 0;
  }
  h2_segment_of(s, t, direction);

  struct h2_step_ctx c = {.skb = skb, .seq = t->seq, .seg_len = seg_len, .payload_off = t->payload_off, .snap = snap, .pos = pos,
                          .hdr_seq = hdr_seq, .hdr4 = hdr4, .have = have, .data = data, .rec = pos};
  long steps = bpf_loop(2 * H2_MAX_FRAMES, h2_step, &c, 0);
  pos = c.pos;
  __u32 rec = c.rec, kept = c.kept, full = c.full;
  /* What the walk did not reach (too many frames) goes as a hole, and the connection back to the snap. */
  full |= h2_emit(skb, rec, kept, seg_len - rec, 1);
  if (pos < seg_len) {
    bpf_map_delete_elem(&h2_walks, &k);
    bump(C_H2_LOST);
    bump(steps >= 2 * H2_MAX_FRAMES ? C_H2_LOST_STEPS : C_H2_LOST_READ);
  } else {
    w->hdr_seq = c.hdr_seq;
    w->hdr4 = c.hdr4;
    w->have = c.have;
    w->data = c.data;
    w->walked_to = t->seq + seg_len;
  }
  bump(C_H2_WALKED);
  bump(full ? C_RB_FULL : C_CAPTURED);
  return 1;
}

#endif

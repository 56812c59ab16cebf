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

/* Segments held for their turn: when a segment comes after a gap (the bytes before it are on another CPU at the
 * same moment, were reordered on the way, or were lost and will be sent again), the walk cannot tell where its frames
 * are. It is copied into a slot (a direct-mapped table on its direction and sequence number) and walked, its records
 * written, when the walk gets to its first byte. Its first snap bytes are written at once, as any segment's would be,
 * in case its turn never comes (the walk's records overlap them). Only within H2_HOLD_AHEAD of the walk: a gap that
 * stays open (bytes the capture will never see) would otherwise hold every later segment. Without a free slot the walk
 * goes on as before, lost when the gap held a frame header. A slot whose segment's turn has not come within H2_HOLD_NS
 * is taken back by the next segment that needs it (C_H2_HELD_EXPIRED). */
#define H2_HOLD_MAX 65535          /* payload bytes of a segment held: any segment whose IP header gives its length */
#define H2_HOLD_SLOT_BITS 6
#define H2_HOLD_CHUNK 4096
#define H2_HOLD_AHEAD (256 << 10)
#define H2_HOLD_NS 2000000000ULL
#define H2_TAKE_MAX 8              /* held segments walked after one live one */
enum h2_hold_state { H2_FREE = 0, H2_FILLING = 1, H2_HELD = 2, H2_TAKEN = 3 };

struct h2_held {
  struct bpf_spin_lock lock;       /* guards state, and the segment's key and seq while held */
  __u32 state;
  struct h2_segment seg;
  __u8 head[HDR_PEEK];             /* its packet headers */
  __u8 bytes[65536 + MAX_SNAP];    /* its payload; reads at (offset & 0xffff) of up to MAX_SNAP bytes stay inside */
};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1 << H2_HOLD_SLOT_BITS); __type(key, __u32);
         __type(value, struct h2_held); } h2_held SEC(".maps");
/* How many slots hold a segment now: a walk that moves on looks in the slots only when some do. Changed by atomic
 * adds (a full barrier on x86); a walker reads it after a barrier of its own, so a walker and a holder at the same
 * moment do not both miss each other (h2_run). */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __s64); } h2_holding SEC(".maps");

static __always_inline void h2_holding_add(__s64 n)
{
  __u32 zero = 0;
  __s64 *held = bpf_map_lookup_elem(&h2_holding, &zero);
  if (held)
    __sync_fetch_and_add(held, n);
}

static __always_inline __u32 h2_slot(const struct h2_key *k, __u32 seq)
{
  __u32 s0, s3, d0, d3;
  __builtin_memcpy(&s0, k->saddr, 4);
  __builtin_memcpy(&s3, k->saddr + 12, 4);
  __builtin_memcpy(&d0, k->daddr, 4);
  __builtin_memcpy(&d3, k->daddr + 12, 4);
  __u32 x = (seq ^ s0 ^ s3) * 0x9e3779b1u + (d0 ^ d3 ^ ((__u32)k->sport << 16 | k->dport)) * 0x85ebca6bu;
  return x >> (32 - H2_HOLD_SLOT_BITS);
}

static __always_inline __u32 h2_word(const struct h2_key *k, __u32 at)
{
  __u32 v;
  __builtin_memcpy(&v, (const __u8 *)k + at, 4);
  return v;
}

/* Word by word: no copy of either key on the stack, which the calls of the walk below leave little of. */
static __always_inline int h2_key_eq(const struct h2_key *a, const struct h2_key *b)
{
  __u32 diff = 0;
  for (__u32 at = 0; at < sizeof(struct h2_key); at += 4)
    diff |= h2_word(a, at) ^ h2_word(b, at);
  return !diff;
}

/* Reads size bytes at payload offset at of the segment being walked: from the packet, or from held slot from - 1. */
static __always_inline long h2_read(struct __sk_buff *skb, __u32 from, __u32 payload_off, __u32 at, void *dst, __u32 size)
{
  if (!from)
    return bpf_skb_load_bytes(skb, payload_off + at, dst, size);
  __u32 slot = from - 1;
  struct h2_held *h = bpf_map_lookup_elem(&h2_held, &slot);
  if (!h)
    return -1;
  return bpf_probe_read_kernel(dst, size, h->bytes + (at & 0xffff));
}

/* One record of the segment in s->h2: its payload [start, start + wire), of which the first kept bytes are
 * captured and the rest is a hole of known length. The copied headers say so: the TCP sequence number is the
 * range's, the IP length the range's. FIN and RST only on the segment's last record (bit 0 of how). The bytes come
 * from the packet, or from held slot from - 1 (how >> 1; at most five arguments). A global function, so the verifier
 * checks it once. Returns 1 when the ring buffer was full. */
#define H2_HOW(from, last) ((from) << 1 | (last))
__noinline int h2_emit(struct __sk_buff *skb, __u32 how, __u32 start, __u32 kept, __u32 wire)
{
  __u32 from = how >> 1, last = how & 1;
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
    if (n < 1 || h2_read(skb, from, poff, start, s->data + poff, n))
      return 0;
  }
  return output(skb, s, cfg, s->h2.direction, poff + kept, poff + wire, s->h2.ts_ns);
}

/* What h2_emit needs of a live segment whose ranges it writes. */
static __always_inline void h2_segment_of(struct packet_scratch *s, const struct l4 *t, const struct h2_key *k,
                                          __u32 seg_len, __u8 direction)
{
  s->h2.key = *k;
  s->h2.seq = t->seq;
  s->h2.len = seg_len;
  s->h2.ts_ns = 0;
  s->h2.l3_off = t->l3_off;
  s->h2.tcp_off = t->tcp_off;
  s->h2.payload_off = t->payload_off;
  s->h2.family = t->family;
  s->h2.tcp_flags = t->tcp_flags;
  s->h2.direction = direction;
}

/* What bpf_loop hands each step: the packet, and the walk in the scratch. */
struct h2_loop {
  struct __sk_buff *skb;
  struct h2_step_ctx *c;
};

/* One step of the walk (bpf_loop: the verifier checks it once): a frame header, the rest of a split one, or (what
 * this segment holds of) a frame's payload. Returns 1 to stop at the segment's end. */
static long h2_step(__u32 i, void *arg)
{
  struct h2_loop *l = arg;
  struct __sk_buff *skb = l->skb;
  struct h2_step_ctx *c = l->c;
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
    if (have == 0 && n >= 4) {
      __u32 v;
      if (h2_read(skb, c->from, c->payload_off, c->pos, &v, 4))
        return 1;
      c->hdr4 = bpf_ntohl(v);
    } else {
      for (__u32 j = have; j < 4 && j < have + n; j++) {
        __u8 b;
        if (h2_read(skb, c->from, c->payload_off, c->pos + j - have, &b, 1))
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
      c->full |= h2_emit(skb, H2_HOW(c->from, 0), c->rec, c->kept, c->pos - c->rec);
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

/* Walks the segment in s->h2 from payload offset pos on, read from the packet or from held slot from - 1, writing
 * its records, and moves its direction's walk on; when the steps run out or a read fails, what is left goes as a
 * hole and the walk is dropped (the snap from then on). 1 when the ring was full. */
static __always_inline int h2_walk_segment(struct __sk_buff *skb, struct packet_scratch *s, __u32 from, __u32 pos)
{
  __u32 zero = 0;
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  struct h2_walk *w = bpf_map_lookup_elem(&h2_walks, &s->h2.key);
  if (!w || !cfg)
    return 0;
  struct h2_step_ctx *c = &s->walk;
  c->from = from;
  c->seq = s->h2.seq;
  c->seg_len = s->h2.len;
  c->payload_off = s->h2.payload_off;
  c->snap = cfg->snap_len;
  c->pos = pos;
  c->hdr_seq = w->hdr_seq;
  c->hdr4 = w->hdr4;
  c->have = w->have;
  c->data = w->data;
  c->rec = pos;
  c->kept = 0;
  c->holing = 0;
  c->full = 0;
  struct h2_loop l = {.skb = skb, .c = c};
  long steps = bpf_loop(2 * H2_MAX_FRAMES, h2_step, &l, 0);
  /* What the walk did not reach (too many frames) goes as a hole, and the connection back to the snap. */
  __u32 seg_len = c->seg_len;
  int full = c->full | h2_emit(skb, H2_HOW(from, 1), c->rec, c->kept, seg_len - c->rec);
  if (c->pos < seg_len) {
    bpf_map_delete_elem(&h2_walks, &s->h2.key);
    bump(C_H2_LOST);
    bump(steps >= 2 * H2_MAX_FRAMES ? C_H2_LOST_STEPS : C_H2_LOST_READ);
  } else {
    w->hdr_seq = c->hdr_seq;
    w->hdr4 = c->hdr4;
    w->have = c->have;
    w->data = c->data;
    w->walked_to = c->seq + seg_len;
  }
  bump(C_H2_WALKED);
  return full;
}

#define H2_TAKE_ONLY 0xffffffff

/* Claims the segment held for where the walk of s->h2.key is now and puts it in the scratch (s->h2, the headers in
 * s->data); its slot + 1, or 0 when none is held there. A global function: the key comparison's registers are not
 * the walk's. */
__noinline int h2_take(void)
{
  __u32 zero = 0;
  struct packet_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s)
    return 0;
  struct h2_walk *w = bpf_map_lookup_elem(&h2_walks, &s->h2.key);
  if (!w)
    return 0;
  __u32 at = w->walked_to;
  __u32 slot = h2_slot(&s->h2.key, at);
  struct h2_held *h = bpf_map_lookup_elem(&h2_held, &slot);
  if (!h)
    return 0;
  int mine = 0;
  bpf_spin_lock(&h->lock);
  if (h->state == H2_HELD && h->seg.seq == at && h2_key_eq(&h->seg.key, &s->h2.key)) {
    h->state = H2_TAKEN;
    mine = 1;
  }
  bpf_spin_unlock(&h->lock);
  if (!mine)
    return 0;
  __builtin_memcpy(s->data, h->head, HDR_PEEK);
  s->h2 = h->seg;  /* the same key: s->h2.key stays the direction's */
  return slot + 1;
}

static __always_inline void h2_release(__u32 slot)
{
  struct h2_held *h = bpf_map_lookup_elem(&h2_held, &slot);
  if (!h)
    return;
  bpf_spin_lock(&h->lock);
  h->state = H2_FREE;
  bpf_spin_unlock(&h->lock);
  h2_holding_add(-1);
}

/* Walks the live segment in s->h2 from pos on (unless pos is H2_TAKE_ONLY: it was held), then the segments held
 * for where the walk now is, one after another (overwriting s). Whoever moves the walk on, or holds a segment, comes
 * here after: each takes a slot under its lock after its own write, so a segment held while another CPU walked up to
 * it is taken by one of the two. A global function: its stack is not the capture's. */
__noinline int h2_run(struct __sk_buff *skb, __u32 pos)
{
  __u32 zero = 0;
  struct packet_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  if (!s)
    return 0;
  for (int i = 0; i <= H2_TAKE_MAX; i++) {
    __u32 from = 0;
    if (i > 0 || pos == H2_TAKE_ONLY) {
      from = h2_take();
      if (!from)
        return 0;
      pos = 0;
    }
    bump(h2_walk_segment(skb, s, from, pos) ? C_RB_FULL : C_CAPTURED);
    if (from) {
      h2_release(from - 1);
    } else {
      /* The walk moved on (a plain store); a holder counts its segment, then looks where the walk is. Each side
       * writes, then a barrier, then reads the other's: at least one sees the other. */
      __sync_fetch_and_add(&s->fence, 0);
      __s64 *held = bpf_map_lookup_elem(&h2_holding, &zero);
      if (!held || *held <= 0)
        return 0;
    }
  }
  return 0;
}

/* Holds the live segment in s->h2 (its headers in s->data) for its turn, and writes its first snap bytes; 1 when
 * held. A global function: its stack is not the capture's. */
__noinline int h2_hold(struct __sk_buff *skb)
{
  __u32 zero = 0;
  struct packet_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  if (!s || !cfg)
    return 0;
  __u32 len = s->h2.len;
  if (len > H2_HOLD_MAX)
    return 0;
  __u32 slot = h2_slot(&s->h2.key, s->h2.seq);
  struct h2_held *h = bpf_map_lookup_elem(&h2_held, &slot);
  if (!h)
    return 0;
  __u64 now = bpf_ktime_get_ns();
  int mine = 0, expired = 0;
  bpf_spin_lock(&h->lock);
  if (h->state == H2_FREE || (h->state == H2_HELD && now - h->seg.ts_ns > H2_HOLD_NS)) {
    expired = h->state == H2_HELD;
    h->state = H2_FILLING;
    mine = 1;
  }
  bpf_spin_unlock(&h->lock);
  if (!mine)
    return 0;
  if (expired) {
    bump(C_H2_HELD_EXPIRED);
    h2_holding_add(-1);
  }
  __builtin_memcpy(h->head, s->data, HDR_PEEK);
  h->seg = s->h2;
  h->seg.ts_ns = now;
  __u32 poff = s->h2.payload_off;
  int ok = 1;
  for (__u32 off = 0; off < H2_HOLD_MAX; off += H2_HOLD_CHUNK) {
    if (off >= len)
      break;
    __u64 n = len - off;
    asm volatile("" : "+r"(n));  /* one register the verifier bounds, as in capture() */
    if (n > H2_HOLD_CHUNK)
      n = H2_HOLD_CHUNK;
    if (n < 1 || bpf_skb_load_bytes(skb, poff + off, h->bytes + off, n)) {
      ok = 0;
      break;
    }
  }
  bpf_spin_lock(&h->lock);
  h->state = ok ? H2_HELD : H2_FREE;
  bpf_spin_unlock(&h->lock);
  if (!ok)
    return 0;
  h2_holding_add(1);  /* before the caller looks where the walk is (h2_run) */
  __u32 kept = cfg->snap_len;
  if (kept > len)
    kept = len;
  if (kept > H2_MAX_KEEP)
    kept = H2_MAX_KEEP;
  if (kept && h2_emit(skb, H2_HOW(0, 0), 0, kept, kept))
    bump(C_RB_FULL);
  return 1;
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
                                      __u8 direction)
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
  h2_segment_of(s, t, &k, seg_len, direction);
  if (behind < 0) {
    if (-behind <= H2_HOLD_AHEAD && h2_hold(skb)) {
      bump(C_H2_HELD);
      h2_run(skb, H2_TAKE_ONLY);
      return 1;
    }
    if (w->have || (__s32)(t->seq - w->hdr_seq) > 0) {
      bpf_map_delete_elem(&h2_walks, &k);
      bump(C_H2_LOST);
      bump(C_H2_LOST_GAP);
      return 0;
    }
  }
  h2_run(skb, behind > 0 ? behind : 0);
  return 1;
}

#endif

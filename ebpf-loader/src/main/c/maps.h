#ifndef SLUICE_MAPS_H
#define SLUICE_MAPS_H

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct sluice_config); } settings SEC(".maps");
/* One bit per port: an array lookup the JIT inlines, where a hash lookup per end cost more than parsing. */
struct port_set { __u64 bits[65536 / 64]; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct port_set); } ports SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC);
         __type(key, struct lpm4); __type(value, __u8); } cidrs4 SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 1024); __uint(map_flags, BPF_F_NO_PREALLOC);
         __type(key, struct lpm6); __type(value, __u8); } cidrs6 SEC(".maps");
/* Size set by the loader before load (bpf_map__set_max_entries). */
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16 << 20); } events SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, C_MAX); __type(key, __u32); __type(value, __u64); } counters SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct packet_scratch); } scratch SEC(".maps");
/* Per direction of each connection that began with the HTTP/2 preface: where its next frame header is (h2.h). */
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct h2_key); __type(value, struct h2_walk); } h2_walks SEC(".maps");
/* Server ports seen to receive the HTTP/2 preface: segments of other ports skip the h2_walks lookup. */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct port_set); } h2_ports SEC(".maps");
/* Per direction of each connection that began with a ClientHello: the range of its first bytes kept whole (tls.h). */
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct h2_key); __type(value, struct tls_keep); } tls_keeps SEC(".maps");
/* Server ports seen to receive a ClientHello: segments of other ports skip the tls_keeps lookup. */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct port_set); } tls_ports SEC(".maps");

/* Flags for every ring-buffer write: no wakeup of the drain until an eighth of the ring holds records, then one per
 * record while the fill is in a band just above that. Below, the drain comes on its own clock (io.sluice.ebpf.RingPoller),
 * so a steady stream costs one wakeup per gather period, not one per record that finds the ring empty (the kernel's
 * default). The band, not one exact crossing, because two CPUs can cross it together, each seeing the fill below;
 * not every record above it, because each wakeup is an interrupt: with the drain stalled, a burst would pay one per
 * packet (and halved the burst rate in CaptureBench drain). */
static __always_inline __u64 ring_wakeup(const struct sluice_config *cfg)
{
  __u32 from = cfg->wake_bytes;
  if (!from)
    return 0;
  __u64 filled = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
  return filled >= from && filled < from + from / 8 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void bump(__u32 idx)
{
  __u64 *c = bpf_map_lookup_elem(&counters, &idx);
  if (c)
    *c += 1;
}

#endif

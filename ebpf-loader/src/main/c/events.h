/* Records in the ring buffer. io.sluice.ebpf.Records and PacketEncoder read the same layout (little endian). */
#ifndef SLUICE_EVENTS_H
#define SLUICE_EVENTS_H

#define MAX_SNAP 2048

enum record_type { REC_PACKET = 1, REC_SOCKET = 2 };
enum sock_kind { SK_STATE = 1, SK_RETRANSMIT = 2, SK_UDP_SEND = 3 };
enum counter { C_SEEN = 0, C_CAPTURED = 1, C_RB_FULL = 2, C_SOCK_EVENTS = 3, C_SOCK_RB_FULL = 4, C_PURE_ACKS = 5, C_H2_WALKED = 6, C_H2_LOST = 7,
              C_TLS_HELLOS = 8, C_TLS_KEPT = 9,
              /* C_H2_LOST by reason: a gap held a frame header; the steps ran out; a read of the segment failed */
              C_H2_LOST_GAP = 10, C_H2_LOST_STEPS = 11, C_H2_LOST_READ = 12,
              /* HTTP/2 segments held until the walk got to them; held ones whose turn never came, their slot taken back */
              C_H2_HELD = 13, C_H2_HELD_EXPIRED = 14, C_MAX = 15 };
enum config_flags { CFG_ALL_PORTS = 1, CFG_CIDRS = 2, CFG_SKIP_PURE_ACKS = 4, CFG_H2_FRAMES = 8, CFG_TLS_HANDSHAKES = 16 };

struct sluice_config {
  __u32 snap_len;          /* payload bytes kept after the L4 header */
  __u32 flags;
  __u32 wake_bytes;        /* records wake the drain once the ring holds this much (an eighth); 0: the kernel's default */
  __u32 pad;
  __u64 id_salt;           /* random per loader: scrambles the raw_tp fallback's socket ids (sockets.h) */
};

struct pkt_event {          /* 32 bytes, then cap_len bytes from the link layer on */
  __u8 type;
  __u8 direction;           /* 1 ingress, 2 egress, as in sluice.proto */
  __u16 cap_len;
  __u32 ifindex;
  __u32 orig_len;
  __u32 pad;
  __u64 ts_ns;              /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  __u64 cgroup_id;          /* the sending socket's cgroup on egress, else 0 */
};

struct sock_event {         /* 144 bytes */
  __u8 type;
  __u8 kind;
  __u8 pid_trusted;
  __u8 family;              /* AF_INET 2, AF_INET6 10 */
  __u16 sport;              /* host order */
  __u16 dport;
  __u32 pid;
  __u32 tid;
  __u64 ts_ns;
  __u64 cgroup_id;          /* the socket's cgroup v2 id: right even in softirq */
  __u32 netns;
  __u32 protocol;
  __u32 old_state;
  __u32 new_state;
  __u32 srtt_us;
  __u32 sk_err;             /* TCP: the socket's error at the change (ECONNREFUSED, ECONNRESET, ETIMEDOUT at a close) */
  __u8 saddr[16];           /* IPv4 in the first 4 bytes */
  __u8 daddr[16];
  char comm[16];
  /* The socket's own counters at the event (tcp_sock, since it was made). UDP: bytes_out and segs_out are the
   * payload bytes and datagrams sent to this peer since the previous event of the socket and peer, this one included. */
  __u64 bytes_out;          /* TCP: bytes_acked (sent and acknowledged) */
  __u64 bytes_in;           /* TCP: bytes_received */
  __u32 segs_out;
  __u32 segs_in;
  __u32 retrans_segs;       /* TCP: total_retrans */
  __u32 pad2;
  __u64 cookie;             /* TCP: the socket's cookie (tp_btf); on raw_tp an id of the socket while it lives */
};

_Static_assert(sizeof(struct sock_event) == 144, "Records.SOCKET_SIZE reads 144 bytes");

/* One direction of a connection: its 4-tuple as the packets carry it. */
struct h2_key { __u8 saddr[16]; __u8 daddr[16]; __u16 sport; __u16 dport; };

/* The segment being walked (h2.h), live or held: what h2_emit needs to write its records. Not part of a record. */
struct h2_segment {
  struct h2_key key;        /* its direction */
  __u32 seq;                /* its own sequence number */
  __u32 len;                /* its payload length */
  __u64 ts_ns;              /* when it was captured, for a held one; 0: now */
  __u16 l3_off;
  __u16 tcp_off;
  __u16 payload_off;
  __u8 family;
  __u8 tcp_flags;
  __u8 direction;
  __u8 pad[7];
};

/* The walk over one segment between its steps (h2.h); in the scratch, not on the stack, which the walk's calls
 * leave little of. Not part of a record. */
struct h2_step_ctx {
  __u32 from;               /* 0: the packet; else the held slot + 1 the segment is read from */
  __u32 seq, seg_len, payload_off;
  __u32 snap;               /* the snap: the first bytes of a segment are kept whatever they are */
  __u32 pos;                /* the walk, in the segment's payload */
  __u32 hdr_seq, hdr4, have, data;  /* as in struct h2_walk */
  __u32 rec, kept, holing;  /* the record being built: where it starts, its bytes kept, whether a hole follows them */
  __u32 full;
};

struct packet_scratch {
  struct pkt_event hdr;
  __u8 data[MAX_SNAP];
  struct h2_segment h2;     /* after data: ringbuf output stops at data's end */
  struct h2_step_ctx walk;
  __u64 fence;              /* an atomic add of 0 here is a full barrier on this CPU's own line (h2.h, h2_run) */
};

/* Where the HTTP/2 frames of one direction are (h2.h). */
struct h2_walk {
  __u32 start;              /* sequence number where the walk began */
  __u32 hdr_seq;            /* sequence number of the next frame header */
  __u32 walked_to;          /* sequence number after the last byte walked */
  __u32 hdr4;               /* the first bytes (length, type) of a frame header split across segments */
  __u8 have;                /* how many of that header's 9 bytes came in earlier segments */
  __u8 data;                /* the payload before hdr_seq is a DATA frame's: not kept */
  __u16 pad;
};

/* The first bytes of one direction of a connection that began with a ClientHello, kept whatever the snap (tls.h). */
struct tls_keep {
  __u32 from;               /* sequence number of the direction's first handshake byte */
  __u32 to;                 /* sequence number after the last byte kept */
};

struct lpm4 { __u32 prefixlen; __u8 addr[4]; };
struct lpm6 { __u32 prefixlen; __u8 addr[16]; };

#endif

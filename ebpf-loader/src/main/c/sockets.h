/* Socket attribution: state changes, retransmissions and UDP senders (tracepoints). */
#ifndef SLUICE_SOCKETS_H
#define SLUICE_SOCKETS_H

/* TCP_* state numbers, as in include/net/tcp_states.h. */
enum { ESTABLISHED = 1, SYN_SENT = 2, FIN_WAIT1 = 4, CLOSE = 7, CLOSE_WAIT = 8, LAST_ACK = 9, LISTEN = 10 };

/* Whether current is the task that caused a state change. Transitions driven by an arriving segment or a timer
 * (SYN-ACK, FIN, RST, retransmission) run in softirq, where current is whoever the interrupt landed on. This
 * kernel gives BPF no preempt count (its per-CPU symbol has no address), so the transition decides. */
static __always_inline int task_caused(__u8 kind, int oldstate, int newstate)
{
  if (kind == SK_UDP_SEND)
    return 1;  /* checked by the program: the task whose cgroup owns the socket */
  if (kind != SK_STATE)
    return 0;
  return newstate == SYN_SENT || newstate == LISTEN || (oldstate == ESTABLISHED && newstate == FIN_WAIT1) ||
         (oldstate == CLOSE_WAIT && newstate == LAST_ACK) || (oldstate == LISTEN && newstate == CLOSE);
}

static __always_inline void fill_task(struct sock_event *e, __u8 kind, int oldstate, int newstate)
{
  __u64 id = bpf_get_current_pid_tgid();
  e->pid_trusted = (id >> 32) != 0 && task_caused(kind, oldstate, newstate);
  e->pid = id >> 32;
  e->tid = (__u32)id;
  /* The process's name, not the thread's: dig sends from threads named isc-net-0000. */
  struct task_struct *task = bpf_get_current_task_btf();
  bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->group_leader->comm);
  e->ts_ns = bpf_ktime_get_ns();
  e->type = REC_SOCKET;
}

static __always_inline void emit(struct sock_event *e)
{
  __u32 zero = 0;
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  if (!cfg)
    return;
  if (bpf_ringbuf_output(&events, e, sizeof(*e), ring_wakeup(cfg)))
    bump(C_SOCK_RB_FULL);
  else
    bump(C_SOCK_EVENTS);
}

/* Remembers which UDP socket already announced which peer, so one event per socket and peer (per 10 s), and counts
 * what it sent in between: each event carries the datagrams and payload bytes since the previous one. */
struct udp_key { __u64 sock; __u8 daddr[16]; __u16 sport; __u16 dport; __u32 pad; };
struct udp_seen_val { __u64 last_ns; __u64 sends; __u64 bytes; };
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct udp_key); __type(value, struct udp_seen_val); } udp_seen SEC(".maps");

enum { TCP_TIME_WAIT_ = 6, TCP_NEW_SYN_RECV_ = 12 };

/* One body, two ways of reading kernel memory: tp_btf may dereference directly, raw_tp must go through
 * bpf_core_read. UDP has no state changes: its senders are seen where a packet is queued to a device, in the
 * sending task (udp_fill.h). The cgroup_skb egress program used before cost every packet the host sent about 75 ns,
 * this tracepoint about 50, mostly its dispatch (BENCHMARKS.md, "eBPF loader"). */
#define RD(dst, src) dst = (src)
#define FN(name) name##_btf
#define SOCK_COOKIE(sk) bpf_get_socket_cookie((void *)(sk))
#include "sock_fill.h"
#include "udp_fill.h"
#undef RD
#undef FN
#undef SOCK_COOKIE
/* raw_tp programs may not ask for the cookie. The socket's address names it as well while it lives (it is reused
 * only after the socket is freed, after its CLOSE), scrambled with the loader's secret so that no kernel address
 * leaves the node: a bijection, so never 0 and never two sockets alike. Without it a connect's SYN_SENT, which
 * comes before the kernel picks the local port, could not be told to belong to its later events. */
static __always_inline __u64 raw_socket_id(const void *sk)
{
  __u32 zero = 0;
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  __u64 salt = cfg ? cfg->id_salt : 0;
  return (((__u64)sk) ^ salt) * 0x9e3779b97f4a7c15ULL;
}
#define RD(dst, src) bpf_core_read(&(dst), sizeof(dst), &(src))
#define FN(name) name##_raw
#define SOCK_COOKIE(sk) raw_socket_id(sk)
#include "sock_fill.h"
#include "udp_fill.h"
#undef RD
#undef FN

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(state_btf, const struct sock *sk, int oldstate, int newstate)
{
  return on_state_btf(sk, oldstate, newstate, SK_STATE);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(state_raw, const struct sock *sk, int oldstate, int newstate)
{
  return on_state_raw(sk, oldstate, newstate, SK_STATE);
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(retransmit_btf, const struct sock *sk)
{
  return on_state_btf(sk, 0, 0, SK_RETRANSMIT);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(retransmit_raw, const struct sock *sk)
{
  return on_state_raw(sk, 0, 0, SK_RETRANSMIT);
}

SEC("tp_btf/net_dev_queue")
int BPF_PROG(udp_send_btf, struct sk_buff *skb)
{
  return on_xmit_btf(skb);
}

SEC("raw_tp/net_dev_queue")
int BPF_PROG(udp_send_raw, struct sk_buff *skb)
{
  return on_xmit_raw(skb);
}

#endif

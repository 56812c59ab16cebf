/* Socket attribution: state changes and retransmissions (tracepoints), UDP senders (cgroup_skb egress). */
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
    return 1;  /* cgroup egress runs inside sendmsg */
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

/* One body, two ways of reading kernel memory: tp_btf may dereference directly (works even where
 * bpf_probe_read_kernel is refused), raw_tp must go through bpf_core_read. */
#define RD(dst, src) dst = (src)
#define FN(name) name##_btf
#include "sock_fill.h"
#undef RD
#undef FN
#define RD(dst, src) bpf_core_read(&(dst), sizeof(dst), &(src))
#define FN(name) name##_raw
#include "sock_fill.h"
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

/* Remembers which UDP socket already announced which peer, so one event per socket and peer (per 10 s). */
struct udp_key { __u64 cookie; __u8 daddr[16]; __u16 dport; __u16 pad; __u32 pad2; };
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 65536); __type(key, struct udp_key); __type(value, __u64); } udp_seen SEC(".maps");

/* UDP has no state changes; its sends run in the sender's task (cgroup egress hook, before any qdisc). */
SEC("cgroup_skb/egress")
int udp_sender(struct __sk_buff *skb)
{
  /* Every packet any socket of the host sends runs this: leave TCP and the rest after one byte read in place. */
  void *data = (void *)(long)skb->data;
  void *data_end = (void *)(long)skb->data_end;
  __u8 *proto = 0;
  if (skb->protocol == bpf_htons(ETH_P_IP))
    proto = data + 9;
  else if (skb->protocol == bpf_htons(ETH_P_IPV6))
    proto = data + 6;
  if (!proto || (void *)(proto + 1) > data_end || *proto != IPPROTO_UDP_)
    return 1;  /* a socket's own IP header is built in the linear part, so data_end only guards the verifier */
  __u32 zero = 0;
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  struct l4 t = {};
  if (!cfg || parse_l3(skb, 0, bpf_ntohs(skb->protocol), &t) || t.proto != IPPROTO_UDP_ || !wanted(cfg, &t))
    return 1;
  struct udp_key k = {.cookie = bpf_get_socket_cookie(skb), .dport = t.dport};
  __builtin_memcpy(k.daddr, t.daddr, 16);
  __u64 now = bpf_ktime_get_ns();
  __u64 *last = bpf_map_lookup_elem(&udp_seen, &k);
  if (last && now - *last < 10000000000ULL)
    return 1;
  bpf_map_update_elem(&udp_seen, &k, &now, BPF_ANY);

  struct sock_event e = {};
  fill_task(&e, SK_UDP_SEND, 0, 0);
  e.kind = SK_UDP_SEND;
  e.family = t.family;
  e.protocol = IPPROTO_UDP_;
  e.sport = t.sport;
  e.dport = t.dport;
  __builtin_memcpy(e.saddr, t.saddr, 16);
  __builtin_memcpy(e.daddr, t.daddr, 16);
  e.cgroup_id = bpf_skb_cgroup_id(skb);
  struct task_struct *task = bpf_get_current_task_btf();
  e.netns = task->nsproxy->net_ns->ns.inum;
  emit(&e);
  return 1;
}

#endif

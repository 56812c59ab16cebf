/* Included twice by sockets.h, with RD and FN defined for tp_btf and for raw_tp. */

/* The socket's network namespace and cgroup v2 id (right even in softirq), into e; returns the cgroup id. */
static __always_inline __u64 FN(sock_owner)(const struct sock *sk, struct sock_event *e)
{
  struct net *net;
  RD(net, sk->__sk_common.skc_net.net);
  RD(e->netns, net->ns.inum);
  struct cgroup *cg;
  RD(cg, sk->sk_cgrp_data.cgroup);
  if (cg) {
    struct kernfs_node *kn;
    RD(kn, cg->kn);
    RD(e->cgroup_id, kn->id);
  }
  return e->cgroup_id;
}
static __always_inline int FN(on_state)(const struct sock *sk, int oldstate, int newstate, __u8 kind)
{
  __u16 proto, family;
  RD(proto, sk->sk_protocol);
  RD(family, sk->__sk_common.skc_family);
  if (proto != IPPROTO_TCP_ || (family != AF_INET_ && family != AF_INET6_))
    return 0;
  struct sock_event e = {};
  fill_task(&e, kind, oldstate, newstate);
  e.kind = kind;
  e.family = family;
  e.protocol = proto;
  e.old_state = oldstate;
  e.new_state = newstate;
  __u16 num, sport = 0, dport;
  RD(num, sk->__sk_common.skc_num);
  RD(dport, sk->__sk_common.skc_dport);
  /* At CLOSE the tracepoint runs after the local port was released (skc_num 0 unless bound explicitly);
   * inet_sport keeps it. */
  bpf_core_read(&sport, sizeof(sport), &((const struct inet_sock *)sk)->inet_sport);
  e.sport = sport ? bpf_ntohs(sport) : num;
  e.dport = bpf_ntohs(dport);
  if (family == AF_INET_) {
    __u32 s, d;
    RD(s, sk->__sk_common.skc_rcv_saddr);
    RD(d, sk->__sk_common.skc_daddr);
    __builtin_memcpy(e.saddr, &s, 4);
    __builtin_memcpy(e.daddr, &d, 4);
  } else {
    for (int i = 0; i < 4; i++) {
      __u32 s, d;
      RD(s, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i]);
      RD(d, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i]);
      __builtin_memcpy(e.saddr + 4 * i, &s, 4);
      __builtin_memcpy(e.daddr + 4 * i, &d, 4);
    }
  }
  FN(sock_owner)(sk, &e);
  const struct tcp_sock *tp = (const struct tcp_sock *)sk;
  __u32 srtt = 0;
  bpf_core_read(&srtt, sizeof(srtt), &tp->srtt_us);  /* beyond struct sock: always a probe read */
  e.srtt_us = srtt >> 3;
  /* The counters the kernel keeps anyway (RFC 4898's), read at each change: the connections job turns them into
   * bytes and segments each way and retransmitted segments. A reset or timeout sets sk_err before the close. */
  bpf_core_read(&e.bytes_out, sizeof(e.bytes_out), &tp->bytes_acked);
  bpf_core_read(&e.bytes_in, sizeof(e.bytes_in), &tp->bytes_received);
  bpf_core_read(&e.segs_out, sizeof(e.segs_out), &tp->segs_out);
  bpf_core_read(&e.segs_in, sizeof(e.segs_in), &tp->segs_in);
  bpf_core_read(&e.retrans_segs, sizeof(e.retrans_segs), &tp->total_retrans);
  int err;
  RD(err, sk->sk_err);
  e.sk_err = err;
  e.cookie = SOCK_COOKIE(sk);
  emit(&e);
  return 0;
}

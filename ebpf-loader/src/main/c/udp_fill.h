/* Included twice by sockets.h, with RD and FN defined for tp_btf and for raw_tp: the UDP sender of a packet being
 * queued to a device (net_dev_queue). Every packet the host sends passes here; all but those of a local UDP socket
 * leave after reading their socket's state and protocol. */
static __always_inline int FN(on_xmit)(struct sk_buff *skb)
{
  struct sock *sk;
  RD(sk, skb->sk);
  if (!sk)
    return 0;  /* forwarded, or a packet that crossed into this namespace from a veth: no local sender */
  __u8 state;
  RD(state, sk->__sk_common.skc_state);
  if (state == TCP_TIME_WAIT_ || state == TCP_NEW_SYN_RECV_)
    return 0;  /* a mini socket (TCP): the fields below are beyond its end */
  __u16 proto;
  RD(proto, sk->sk_protocol);
  if (proto != IPPROTO_UDP_)
    return 0;

  __u16 skb_proto, nh, th;
  unsigned char *head;
  RD(skb_proto, skb->protocol);
  RD(head, skb->head);
  RD(nh, skb->network_header);
  RD(th, skb->transport_header);
  struct l4 t = {.proto = IPPROTO_UDP_};
  if (skb_proto == bpf_htons(ETH_P_IP)) {
    struct { __be16 frag_off; __u8 ttl, protocol; } h;  /* bytes 6-9 of the IPv4 header */
    if (bpf_probe_read_kernel(&h, sizeof(h), head + nh + 6) || h.protocol != IPPROTO_UDP_ ||
        (bpf_ntohs(h.frag_off) & 0x1fff))
      return 0;  /* a later fragment carries no ports; ESP and the like hide them */
    t.family = AF_INET_;
    bpf_probe_read_kernel(t.saddr, 4, head + nh + 12);
    bpf_probe_read_kernel(t.daddr, 4, head + nh + 16);
  } else if (skb_proto == bpf_htons(ETH_P_IPV6)) {
    __u8 next = 0;
    if (bpf_probe_read_kernel(&next, 1, head + nh + 6) || next != IPPROTO_UDP_)
      return 0;  /* extension headers are not walked, as in capture */
    t.family = AF_INET6_;
    bpf_probe_read_kernel(t.saddr, 16, head + nh + 8);
    bpf_probe_read_kernel(t.daddr, 16, head + nh + 24);
  } else {
    return 0;
  }
  __u16 ports[3];  /* source, destination, length */
  if (bpf_probe_read_kernel(ports, sizeof(ports), head + th))
    return 0;
  __u16 ulen = bpf_ntohs(ports[2]);
  __u64 payload = ulen >= 8 ? ulen - 8 : 0;
  t.sport = bpf_ntohs(ports[0]);
  t.dport = bpf_ntohs(ports[1]);
  __u32 zero = 0;
  struct sluice_config *cfg = bpf_map_lookup_elem(&settings, &zero);
  if (!cfg || !wanted(cfg, &t))
    return 0;

  /* Whether current is the sender: a packet held for address resolution (ARP, neighbour discovery) is sent later
   * from softirq, in whatever task the interrupt landed on. The socket's cgroup against the task's tells most of
   * those apart; such a packet announces nothing, and the socket's next send does. */
  struct sock_event e = {};
  if (FN(sock_owner)(sk, &e) != bpf_get_current_cgroup_id())
    return 0;

  /* The socket's address and its port: a socket at an address freed by an earlier one has another port. */
  struct udp_key k = {.sock = (__u64)sk, .sport = t.sport, .dport = t.dport};
  __builtin_memcpy(k.daddr, t.daddr, 16);
  __u64 now = bpf_ktime_get_ns();
  struct udp_seen_val *seen = bpf_map_lookup_elem(&udp_seen, &k);
  __u64 sends = 1, bytes = payload;
  if (seen) {
    if (now - seen->last_ns < 10000000000ULL) {
      __sync_fetch_and_add(&seen->sends, 1);
      __sync_fetch_and_add(&seen->bytes, payload);
      return 0;
    }
    /* Sends of other CPUs between these reads and the reset may be lost: counts are exact for one sending thread. */
    sends += seen->sends;
    bytes += seen->bytes;
  }
  struct udp_seen_val fresh = {.last_ns = now};
  bpf_map_update_elem(&udp_seen, &k, &fresh, BPF_ANY);

  fill_task(&e, SK_UDP_SEND, 0, 0);
  e.kind = SK_UDP_SEND;
  e.family = t.family;
  e.protocol = IPPROTO_UDP_;
  e.sport = t.sport;
  e.dport = t.dport;
  __builtin_memcpy(e.saddr, t.saddr, 16);
  __builtin_memcpy(e.daddr, t.daddr, 16);
  e.segs_out = sends;
  e.bytes_out = bytes;
  emit(&e);
  return 0;
}

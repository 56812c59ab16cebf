// SPDX-License-Identifier: GPL-2.0
/* One trivial program per attach type: the loader loads and attaches each to learn what this kernel allows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/tcp_set_state")
int BPF_PROG(probe_fentry) { return 0; }

SEC("fexit/tcp_set_state")
int BPF_PROG(probe_fexit) { return 0; }

SEC("kprobe/tcp_set_state")
int probe_kprobe(void *ctx) { return 0; }

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(probe_tp_btf) { return 0; }

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(probe_raw_tp) { return 0; }

SEC("tc")
int probe_tc(struct __sk_buff *skb) { return 0; }

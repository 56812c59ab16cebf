package io.sluice.l7;

/**
 * The process fields of an L7 row (pid, comm, container, pod, pod_namespace, cgroup_id columns): the client's process
 * when a socket event of the node names it, else {@link #NONE}. Only a cgroup, container and pod are known when no
 * event was taken in the process's own context (then pid is 0 and comm empty). pod and pod_namespace are empty unless
 * the loader runs with Kubernetes' downward information.
 */
public record L7Process(int pid, String comm, String container, String pod, String podNamespace, long cgroupId) {
  public static final L7Process NONE = new L7Process(0, "", "", "", "", 0);

  /** What is known of the socket's owner without a trusted event: its cgroup, container and pod. */
  L7Process withoutTask() {
    return new L7Process(0, "", container, pod, podNamespace, cgroupId);
  }
}

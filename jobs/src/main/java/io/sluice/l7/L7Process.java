package io.sluice.l7;

/**
 * The process fields of an L7 row (pid, comm, container, cgroup_id columns): the client's process when a socket
 * event of the node names it, else {@link #NONE}. Only a cgroup and container are known when no event was taken in
 * the process's own context (then pid is 0 and comm empty).
 */
public record L7Process(int pid, String comm, String container, long cgroupId) {
  public static final L7Process NONE = new L7Process(0, "", "", 0);
}

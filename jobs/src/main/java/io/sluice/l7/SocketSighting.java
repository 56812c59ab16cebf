package io.sluice.l7;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What one socket event tells about a conversation: at {@code eventNs} the socket with the local endpoint
 * ({@code localAddr}, {@code localPort}) and {@code protocol} belonged to {@code process}. {@code trusted}: the
 * event ran in the process's own task, so pid and comm are its; otherwise only the socket's cgroup (and container
 * and pod) are. {@code closed}: the socket went to CLOSE, so it names nothing after {@code eventNs}.
 */
public record SocketSighting(long eventNs, byte[] localAddr, int localPort, int protocol, boolean trusted,
    boolean closed, L7Process process) {
  /** Flag bit: pod and pod_namespace follow the cgroup id (checkpoints from before them lack it). */
  private static final int WITH_POD = 4;

  boolean isSocket(byte[] addr, int port, int proto) {
    return localPort == port && protocol == proto && java.util.Arrays.equals(localAddr, addr);
  }

  void write(DataOutput out) throws IOException {
    out.writeLong(eventNs);
    out.write(localAddr);
    out.writeShort(localPort);
    out.writeByte(protocol);
    out.writeByte((trusted ? 1 : 0) | (closed ? 2 : 0) | WITH_POD);
    out.writeInt(process.pid());
    out.writeUTF(process.comm());
    out.writeUTF(process.container());
    out.writeLong(process.cgroupId());
    out.writeUTF(process.pod());
    out.writeUTF(process.podNamespace());
  }

  static SocketSighting read(DataInput in) throws IOException {
    long ns = in.readLong();
    byte[] addr = new byte[16];
    in.readFully(addr);
    int port = in.readUnsignedShort();
    int protocol = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int pid = in.readInt();
    String comm = in.readUTF();
    String container = in.readUTF();
    long cgroupId = in.readLong();
    boolean withPod = (flags & WITH_POD) != 0; // state written before the pod fields has none
    L7Process p = new L7Process(pid, comm, container, withPod ? in.readUTF() : "", withPod ? in.readUTF() : "", cgroupId);
    return new SocketSighting(ns, addr, port, protocol, (flags & 1) != 0, (flags & 2) != 0, p);
  }
}

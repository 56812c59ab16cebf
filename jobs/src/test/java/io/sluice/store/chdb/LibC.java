package io.sluice.store.chdb;

import jnr.ffi.Pointer;

/** sigaction(2), to keep the JVM's signal handlers when chDB resets them. */
public interface LibC {
  int sigaction(int signal, Pointer action, Pointer oldAction);
}

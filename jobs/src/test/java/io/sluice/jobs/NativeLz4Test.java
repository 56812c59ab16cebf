package io.sluice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * lz4-java and this module's classes in a class loader of their own, as a Flink job's class loader holds them: Kafka's
 * codec ({@code LZ4Factory.fastestInstance()}, which its LZ4 streams use) is pure Java there unless {@link NativeLz4}
 * loaded the native library first.
 */
class NativeLz4Test {
  @Test
  void inAJobsClassLoaderKafkasCodecIsJniOnlyAfterTheLoad() throws Exception {
    try (URLClassLoader withoutLoad = jobLoader(); URLClassLoader withLoad = jobLoader()) {
      assertEquals("LZ4Factory:JavaSafe", fastest(withoutLoad), "without the load, the codec falls back to Java");

      boolean loaded = (Boolean) withLoad.loadClass(NativeLz4.class.getName()).getMethod("load").invoke(null);
      assertTrue(loaded, "the native library loads on linux-x86_64");
      assertEquals("LZ4Factory:JNI", fastest(withLoad));
    }
  }

  private static String fastest(ClassLoader loader) throws Exception {
    return loader.loadClass("net.jpountz.lz4.LZ4Factory").getMethod("fastestInstance").invoke(null).toString();
  }

  private static URLClassLoader jobLoader() throws Exception {
    URL lz4 = Class.forName("net.jpountz.util.Native").getProtectionDomain().getCodeSource().getLocation();
    URL classes = NativeLz4.class.getProtectionDomain().getCodeSource().getLocation();
    return new URLClassLoader(new URL[] {classes, lz4}, ClassLoader.getPlatformClassLoader());
  }
}

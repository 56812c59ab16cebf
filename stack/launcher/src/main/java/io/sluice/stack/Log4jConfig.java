package io.sluice.stack;

import java.nio.file.Path;

/** A log4j2 properties config writing one rolling file, for the JVM services. */
final class Log4jConfig {
  private Log4jConfig() {}

  static String rollingFile(Path file) {
    return """
        rootLogger.level = INFO
        rootLogger.appenderRef.main.ref = Main
        appender.main.name = Main
        appender.main.type = RollingFile
        appender.main.fileName = %1$s
        appender.main.filePattern = %1$s.%%i
        appender.main.layout.type = PatternLayout
        appender.main.layout.pattern = %%d{yyyy-MM-dd HH:mm:ss,SSS} %%-5p %%c{1} - %%m%%n
        appender.main.policies.type = Policies
        appender.main.policies.size.type = SizeBasedTriggeringPolicy
        appender.main.policies.size.size = 100MB
        appender.main.strategy.type = DefaultRolloverStrategy
        appender.main.strategy.max = 3
        """.formatted(file);
  }
}

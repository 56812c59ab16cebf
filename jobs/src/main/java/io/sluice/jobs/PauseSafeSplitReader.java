package io.sluice.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics;
import org.apache.flink.connector.kafka.source.reader.KafkaPartitionSplitReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The connector's split reader, except that it never pauses or resumes a split it no longer reads.
 *
 * <p>Works around FLINK-39728 (flink-connector-kafka 5.0.0-2.2): watermark alignment asks the fetcher to pause or
 * resume the splits the source reader's main thread knows of. A bounded split that has just reached its stopping
 * offset is unassigned from the consumer by {@link #fetch()} before the main thread hears it finished, and the
 * consumer's pause or resume of it throws {@code IllegalStateException: No current assignment for partition}, which
 * fails the task. Remove this class (and {@link PauseSafeKafkaSource}) once a connector release with the fix is used.
 *
 * <p>{@link #handleSplitsChanges}, {@link #fetch()} and {@link #pauseOrResumeSplits} all run on the split fetcher's
 * one thread (the pause or resume is a task queued to it), so the set of splits read needs no lock.
 */
public class PauseSafeSplitReader extends KafkaPartitionSplitReader {
  /** The ids of the splits added and not yet reported finished. */
  private final Set<String> reading = new HashSet<>();

  public PauseSafeSplitReader(Properties props, SourceReaderContext context, KafkaSourceReaderMetrics metrics,
      String rackId) {
    super(props, context, metrics, rackId);
  }

  @Override
  public void handleSplitsChanges(SplitsChange<KafkaPartitionSplit> change) {
    super.handleSplitsChanges(change);
    if (change instanceof SplitsAddition) {
      change.splits().forEach(split -> reading.add(split.splitId()));
    }
  }

  @Override
  public RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>> fetch() throws IOException {
    RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>> records = super.fetch();
    reading.removeAll(records.finishedSplits());
    return records;
  }

  @Override
  public void pauseOrResumeSplits(Collection<KafkaPartitionSplit> toPause, Collection<KafkaPartitionSplit> toResume) {
    super.pauseOrResumeSplits(stillRead(toPause), stillRead(toResume));
  }

  private List<KafkaPartitionSplit> stillRead(Collection<KafkaPartitionSplit> splits) {
    List<KafkaPartitionSplit> read = new ArrayList<>(splits.size());
    for (KafkaPartitionSplit split : splits) {
      if (reading.contains(split.splitId())) {
        read.add(split);
      }
    }
    return read;
  }
}

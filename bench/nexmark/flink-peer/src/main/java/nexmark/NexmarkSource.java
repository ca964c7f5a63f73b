package nexmark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** The generator as a FLIP-27 source, one split per generator timeline (as bench/nexmark/job/NexmarkSource.ts). */
public final class NexmarkSource implements Source<Event, NexmarkSource.Split, List<NexmarkSource.Split>> {
  private final NexmarkGenerator.Config config;
  private final long events;

  NexmarkSource(NexmarkGenerator.Config config, long events) { this.config = config; this.events = events; }

  /** A generator timeline: event ids [firstEventId, firstEventId + maxEvents), {@code next} already emitted. */
  public static final class Split implements SourceSplit {
    final int index, numGenerators;
    final long firstEventId, maxEvents;
    long next;
    Split(int index, long firstEventId, long maxEvents, int numGenerators, long next) {
      this.index = index; this.firstEventId = firstEventId; this.maxEvents = maxEvents; this.numGenerators = numGenerators; this.next = next;
    }
    @Override public String splitId() { return String.valueOf(index); }
  }

  @Override public Boundedness getBoundedness() { return Boundedness.BOUNDED; }

  @Override public SourceReader<Event, Split> createReader(SourceReaderContext ctx) { return new Reader(ctx, config); }

  /** GeneratorConfig.split(n). */
  @Override public SplitEnumerator<Split, List<Split>> createEnumerator(SplitEnumeratorContext<Split> ctx) {
    int parts = (int) Math.max(1, Math.min(ctx.currentParallelism(), events));
    long sub = events / parts;
    List<Split> splits = new ArrayList<>();
    for (int i = 0; i < parts && events > 0; i++) splits.add(new Split(i, i * sub, i == parts - 1 ? events - sub * (parts - 1) : sub, parts, 0));
    return new Enumerator(ctx, splits);
  }

  @Override public SplitEnumerator<Split, List<Split>> restoreEnumerator(SplitEnumeratorContext<Split> ctx, List<Split> cp) { return new Enumerator(ctx, new ArrayList<>(cp)); }

  @Override public SimpleVersionedSerializer<Split> getSplitSerializer() { return new SplitSerializer(); }

  @Override public SimpleVersionedSerializer<List<Split>> getEnumeratorCheckpointSerializer() {
    return new SimpleVersionedSerializer<>() {
      @Override public int getVersion() { return 1; }
      @Override public byte[] serialize(List<Split> splits) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(splits.size());
        for (Split s : splits) SplitSerializer.write(out, s);
        return b.toByteArray();
      }
      @Override public List<Split> deserialize(int version, byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int n = in.readInt();
        List<Split> splits = new ArrayList<>();
        for (int i = 0; i < n; i++) splits.add(SplitSerializer.read(in));
        return splits;
      }
    };
  }

  static final class SplitSerializer implements SimpleVersionedSerializer<Split> {
    @Override public int getVersion() { return 1; }
    static void write(DataOutputStream out, Split s) throws IOException {
      out.writeInt(s.index); out.writeLong(s.firstEventId); out.writeLong(s.maxEvents); out.writeInt(s.numGenerators); out.writeLong(s.next);
    }
    static Split read(DataInputStream in) throws IOException {
      return new Split(in.readInt(), in.readLong(), in.readLong(), in.readInt(), in.readLong());
    }
    @Override public byte[] serialize(Split s) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      write(new DataOutputStream(b), s);
      return b.toByteArray();
    }
    @Override public Split deserialize(int version, byte[] bytes) throws IOException { return read(new DataInputStream(new ByteArrayInputStream(bytes))); }
  }

  static final class Enumerator implements SplitEnumerator<Split, List<Split>> {
    private final SplitEnumeratorContext<Split> ctx;
    private final ArrayDeque<Split> remaining;
    Enumerator(SplitEnumeratorContext<Split> ctx, List<Split> splits) { this.ctx = ctx; this.remaining = new ArrayDeque<>(splits); }
    @Override public void start() {}
    @Override public void handleSplitRequest(int subtask, String host) {
      Split s = remaining.poll();
      if (s != null) ctx.assignSplit(s, subtask);
      else ctx.signalNoMoreSplits(subtask);
    }
    @Override public void addSplitsBack(List<Split> splits, int subtask) { remaining.addAll(splits); }
    @Override public void addReader(int subtask) {}
    @Override public List<Split> snapshotState(long checkpointId) { return new ArrayList<>(remaining); }
    @Override public void close() {}
  }

  static final class Reader implements SourceReader<Event, Split> {
    private static final int BATCH = 1024;
    private final NexmarkGenerator.Config config;
    private final ArrayDeque<Split> queue = new ArrayDeque<>();
    private Split current;
    private NexmarkGenerator gen;
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private final SourceReaderContext ctx;

    Reader(SourceReaderContext ctx, NexmarkGenerator.Config config) { this.ctx = ctx; this.config = config; }
    @Override public void start() { ctx.sendSplitRequest(); }

    @Override public InputStatus pollNext(ReaderOutput<Event> output) {
      if (current == null) {
        current = queue.poll();
        if (current == null) {
          if (noMoreSplits) return InputStatus.END_OF_INPUT;
          // As Flink's IteratorSourceReaderBase: a fresh future before saying NOTHING_AVAILABLE, so no wake-up is lost.
          if (available.isDone()) available = new CompletableFuture<>();
          return InputStatus.NOTHING_AVAILABLE;
        }
        gen = new NexmarkGenerator(config, current.firstEventId, current.numGenerators);
      }
      long end = Math.min(current.maxEvents, current.next + BATCH);
      for (long n = current.next; n < end; n++) {
        Event e = gen.event(n);
        output.collect(e, e.dateTime());
      }
      current.next = end;
      if (end >= current.maxEvents) {
        current = null;
        if (queue.isEmpty()) ctx.sendSplitRequest();
      }
      return InputStatus.MORE_AVAILABLE;
    }

    @Override public CompletableFuture<Void> isAvailable() { return available; }
    @Override public void addSplits(List<Split> splits) { queue.addAll(splits); available.complete(null); }
    @Override public void notifyNoMoreSplits() { noMoreSplits = true; available.complete(null); }
    @Override public List<Split> snapshotState(long checkpointId) {
      List<Split> out = new ArrayList<>();
      if (current != null) out.add(new Split(current.index, current.firstEventId, current.maxEvents, current.numGenerators, current.next));
      out.addAll(queue);
      return out;
    }
    @Override public void close() {}
  }
}

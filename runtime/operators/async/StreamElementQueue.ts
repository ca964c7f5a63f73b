/**
 * The in-flight elements of an AsyncWaitOperator (Flink's StreamElementQueue): records waiting for
 * their async results and the watermarks between them, in the order results may leave.
 */

/** An input element as the operator keeps (and checkpoints) it. */
export type StreamElement<IN> =
  | { readonly kind: 'record'; readonly value: IN; readonly timestamp: number | undefined }
  | { readonly kind: 'watermark'; readonly timestamp: number };

export interface ElementOutput<OUT> {
  collect(value: OUT, timestamp: number | undefined): void;
  emitWatermark(watermark: number): void;
}

/** One queued element; a record's entry is done once its results are set, a watermark's at once. */
export class QueueEntry<IN, OUT> {
  results: OUT[] | null = null;
  /** Unordered queue: the segment to tell on completion. */
  segment: Segment<IN, OUT> | null = null;
  /** Arrival order (the unordered queue checkpoints a segment in it). */
  constructor(readonly element: StreamElement<IN>, readonly seq: number) {}
  get done(): boolean { return this.element.kind === 'watermark' || this.results !== null; }
  emit(out: ElementOutput<OUT>): void {
    const e = this.element;
    if (e.kind === 'watermark') { out.emitWatermark(e.timestamp); return; }
    // Results carry the input record's timestamp (Flink's TimestampedCollector).
    for (const r of this.results!) out.collect(r, e.timestamp);
  }
}

export interface StreamElementQueue<IN, OUT> {
  /** Adds the element, or returns null when the queue is at capacity. */
  tryPut(element: StreamElement<IN>): QueueEntry<IN, OUT> | null;
  /** Sets a record's results; it may then be emitted (ordered: once it is at the head). */
  complete(entry: QueueEntry<IN, OUT>, results: OUT[]): void;
  hasCompletedElements(): boolean;
  /** Emits one completed element. */
  emitCompletedElement(out: ElementOutput<OUT>): void;
  /** Every element still queued, for the checkpoint. */
  values(): StreamElement<IN>[];
  size(): number;
  isEmpty(): boolean;
}

/** ORDERED: results leave in input order; the head blocks everything behind it. */
export class OrderedStreamElementQueue<IN, OUT> implements StreamElementQueue<IN, OUT> {
  private readonly entries: QueueEntry<IN, OUT>[] = [];
  private head = 0;
  constructor(private readonly capacity: number) { checkCapacity(capacity); }
  tryPut(element: StreamElement<IN>): QueueEntry<IN, OUT> | null {
    if (this.size() >= this.capacity) return null;
    const e = new QueueEntry<IN, OUT>(element, 0);
    this.entries.push(e);
    return e;
  }
  complete(entry: QueueEntry<IN, OUT>, results: OUT[]): void { entry.results = results; }
  hasCompletedElements(): boolean { return this.head < this.entries.length && this.entries[this.head]!.done; }
  emitCompletedElement(out: ElementOutput<OUT>): void {
    if (!this.hasCompletedElements()) return;
    const e = this.entries[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.entries.length) { this.entries.splice(0, this.head); this.head = 0; }
    e.emit(out);
  }
  values(): StreamElement<IN>[] { return this.entries.slice(this.head).map((e) => e.element); }
  size(): number { return this.entries.length - this.head; }
  isEmpty(): boolean { return this.size() === 0; }
}

/** Records between two watermarks (Flink's UnorderedStreamElementQueue.Segment). */
class Segment<IN, OUT> {
  readonly incomplete = new Set<QueueEntry<IN, OUT>>();
  readonly completed: QueueEntry<IN, OUT>[] = [];
  add(e: QueueEntry<IN, OUT>): void {
    e.segment = this;
    if (e.done) this.completed.push(e); else this.incomplete.add(e);
  }
  completedEntry(e: QueueEntry<IN, OUT>): void { if (this.incomplete.delete(e)) this.completed.push(e); }
  isEmpty(): boolean { return this.incomplete.size === 0 && this.completed.length === 0; }
}

/**
 * UNORDERED: within a segment (the records between two watermarks) results leave as they complete;
 * a watermark is its own segment, so no record crosses it in either direction and event time stays
 * correct (Flink's UnorderedStreamElementQueue).
 */
export class UnorderedStreamElementQueue<IN, OUT> implements StreamElementQueue<IN, OUT> {
  private readonly segments: Segment<IN, OUT>[] = [];
  private numberOfEntries = 0;
  private seq = 0;
  constructor(private readonly capacity: number) { checkCapacity(capacity); }
  tryPut(element: StreamElement<IN>): QueueEntry<IN, OUT> | null {
    if (this.numberOfEntries >= this.capacity) return null;
    const entry = new QueueEntry<IN, OUT>(element, this.seq++);
    if (element.kind === 'record') {
      if (this.segments.length === 0) this.segments.push(new Segment());
      this.segments[this.segments.length - 1]!.add(entry);
    } else {
      // Reuse a drained last segment (two watermarks in a row), then open a new one for the records after it.
      const last = this.segments[this.segments.length - 1];
      const wmSegment = last && last.isEmpty() ? last : new Segment<IN, OUT>();
      if (wmSegment !== last) this.segments.push(wmSegment);
      wmSegment.add(entry);
      this.segments.push(new Segment());
    }
    this.numberOfEntries++;
    return entry;
  }
  complete(entry: QueueEntry<IN, OUT>, results: OUT[]): void {
    entry.results = results;
    entry.segment!.completedEntry(entry);
  }
  hasCompletedElements(): boolean { return this.segments.length > 0 && this.segments[0]!.completed.length > 0; }
  emitCompletedElement(out: ElementOutput<OUT>): void {
    const s = this.segments[0];
    if (!s || s.completed.length === 0) return;
    const e = s.completed.shift()!;
    this.numberOfEntries--;
    // Keep the last (possibly empty) segment: the next record goes there.
    if (this.segments.length > 1 && s.isEmpty()) this.segments.shift();
    e.emit(out);
  }
  values(): StreamElement<IN>[] {
    const r: StreamElement<IN>[] = [];
    // In arrival order, so a restore issues the requests again as they first came.
    for (const s of this.segments) for (const e of [...s.completed, ...s.incomplete].sort((a, b) => a.seq - b.seq)) r.push(e.element);
    return r;
  }
  size(): number { return this.numberOfEntries; }
  isEmpty(): boolean { return this.numberOfEntries === 0; }
}

function checkCapacity(capacity: number): void {
  if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`The number of concurrent async operations (capacity) must be a positive integer, got ${capacity}.`);
}

// The files of one sort-merge partition (Flink's PartitionedFile): `<name>.shuffle.data` holds regions, one per
// spill, each region the buffers of subpartition 0, then 1, …; `<name>.shuffle.index` holds, per region and
// subpartition, the (offset, size) of that subpartition's bytes in the data file.
//
// Index file: [u32 magic][u32 numRegions][u32 numSubpartitions][4 reserved] then numRegions × numSubpartitions
// entries of [u64 offset][u64 size] (little-endian).
import { readFileSync, rmSync } from 'node:fs';

export const INDEX_MAGIC = 0x54534958; // "TSIX"
export const INDEX_HEADER_SIZE = 16;
export const INDEX_ENTRY_SIZE = 16;

/** A byte range of one file: what a subpartition reader reads in order. */
export interface FileRange {
  path: string;
  offset: number;
  size: number;
}

export class PartitionedFile {
  constructor(
    readonly dataPath: string,
    readonly indexPath: string,
    readonly numRegions: number,
    readonly numSubpartitions: number,
    /** offset, size per (region, subpartition): index [2 * (region * numSubpartitions + sp)]. */
    private readonly index: Float64Array,
  ) {}

  /** Reads an index file written by PartitionedFileWriter (the index is small; it is kept in memory). */
  static open(dataPath: string, indexPath: string): PartitionedFile {
    const bytes = readFileSync(indexPath);
    if (bytes.length < INDEX_HEADER_SIZE) throw new Error(`shuffle index ${indexPath} is truncated (${bytes.length} bytes)`);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (v.getUint32(0, true) !== INDEX_MAGIC) throw new Error(`shuffle index ${indexPath} has no index header (wrong file?)`);
    const numRegions = v.getUint32(4, true);
    const numSubpartitions = v.getUint32(8, true);
    const n = numRegions * numSubpartitions;
    if (bytes.length !== INDEX_HEADER_SIZE + n * INDEX_ENTRY_SIZE) {
      throw new Error(`shuffle index ${indexPath}: ${bytes.length} bytes, expected ${INDEX_HEADER_SIZE + n * INDEX_ENTRY_SIZE} for ${numRegions} regions × ${numSubpartitions} subpartitions`);
    }
    const index = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const at = INDEX_HEADER_SIZE + i * INDEX_ENTRY_SIZE;
      index[2 * i] = Number(v.getBigUint64(at, true));
      index[2 * i + 1] = Number(v.getBigUint64(at + 8, true));
    }
    return new PartitionedFile(dataPath, indexPath, numRegions, numSubpartitions, index);
  }

  offsetOf(region: number, subpartition: number): number {
    return this.index[2 * this.entry(region, subpartition)]!;
  }

  sizeOf(region: number, subpartition: number): number {
    return this.index[2 * this.entry(region, subpartition) + 1]!;
  }

  /** The subpartition's bytes, region by region (empty regions left out). */
  rangesOf(subpartition: number): FileRange[] {
    const out: FileRange[] = [];
    for (let r = 0; r < this.numRegions; r++) {
      const size = this.sizeOf(r, subpartition);
      if (size > 0) out.push({ path: this.dataPath, offset: this.offsetOf(r, subpartition), size });
    }
    return out;
  }

  deleteQuietly(): void {
    rmSync(this.dataPath, { force: true });
    rmSync(this.indexPath, { force: true });
  }

  private entry(region: number, subpartition: number): number {
    if (!(region >= 0 && region < this.numRegions)) throw new RangeError(`${this.dataPath}: region ${region} out of range [0, ${this.numRegions})`);
    if (!(subpartition >= 0 && subpartition < this.numSubpartitions)) throw new RangeError(`${this.dataPath}: subpartition ${subpartition} out of range [0, ${this.numSubpartitions})`);
    return region * this.numSubpartitions + subpartition;
  }
}

// Reads a SQLite WAL file the way SQLite's recovery does (https://www.sqlite.org/fileformat2.html#walformat), without
// opening the database, so the store can say what recovery will keep before SQLite keeps it silently.
//
// Recovery accepts frames from the start while each carries the header's salts and a valid cumulative checksum,
// and keeps them up to the last commit frame among them; everything after is ignored and later overwritten. A frame
// after that point which still carries the current salts was written since the last WAL reset: if one of them is
// a commit, a committed transaction is being thrown away (damage, not a torn last write). Frames with older salts
// are leftovers from before a reset and mean nothing.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface WalScan {
  /** Size of the WAL file. */
  bytes: number;
  pageSize: number;
  /** False when the header's magic or checksum is wrong: SQLite then ignores the whole WAL. */
  headerValid: boolean;
  /** Whole frames in the file. */
  frames: number;
  /** Frames SQLite recovers: the valid prefix up to its last commit frame. */
  recoveredFrames: number;
  /** Commit frames (transactions) among the recovered ones. */
  recoveredCommits: number;
  /** Frames past the recovered ones that carry the current salts: written since the last reset, yet ignored. */
  ignoredFrames: number;
  /** Commit frames among the ignored ones: committed transactions that recovery drops. */
  ignoredCommits: number;
}

const HEADER = 32;
const FRAME_HEADER = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;

/** Scans the WAL at `walPath`; a file shorter than its header scans as zero frames. */
export function scanWal(walPath: string): WalScan {
  const fd = openSync(walPath, 'r');
  try {
    const bytes = fstatSync(fd).size;
    const scan: WalScan = {
      bytes, pageSize: 0, headerValid: false, frames: 0, recoveredFrames: 0, recoveredCommits: 0, ignoredFrames: 0, ignoredCommits: 0,
    };
    if (bytes < HEADER) return scan;
    const header = Buffer.alloc(HEADER);
    readSync(fd, header, 0, HEADER, 0);
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    if ((magic !== MAGIC_LE && magic !== MAGIC_BE) || pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return scan;
    scan.pageSize = pageSize;
    const frameSize = FRAME_HEADER + pageSize;
    scan.frames = Math.floor((bytes - HEADER) / frameSize);
    const bigEndian = magic === MAGIC_BE;
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    let [s0, s1] = checksum(bigEndian, header, 0, 24, 0, 0);
    scan.headerValid = s0 === header.readUInt32BE(24) && s1 === header.readUInt32BE(28);

    const frame = Buffer.alloc(frameSize);
    let chainIntact = scan.headerValid;
    let validFrames = 0;
    let validCommits = 0;
    for (let i = 0; i < scan.frames; i++) {
      readSync(fd, frame, 0, frameSize, HEADER + i * frameSize);
      const current = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      const commit = frame.readUInt32BE(4) !== 0;
      if (chainIntact && current) {
        [s0, s1] = checksum(bigEndian, frame, 0, 8, s0, s1);
        [s0, s1] = checksum(bigEndian, frame, FRAME_HEADER, pageSize, s0, s1);
        if (s0 === frame.readUInt32BE(16) && s1 === frame.readUInt32BE(20)) {
          validFrames++;
          if (commit) { validCommits++; scan.recoveredFrames = validFrames; scan.recoveredCommits = validCommits; }
          continue;
        }
      }
      chainIntact = false;
      if (current) { scan.ignoredFrames++; if (commit) scan.ignoredCommits++; }
    }
    // Valid frames after the last commit are an unfinished transaction: ignored by design, counted with the rest.
    scan.ignoredFrames += validFrames - scan.recoveredFrames;
    return scan;
  } finally {
    closeSync(fd);
  }
}

/** SQLite's WAL checksum: 32-bit words in the byte order the magic names, two running sums. */
function checksum(bigEndian: boolean, buf: Buffer, offset: number, length: number, s0: number, s1: number): [number, number] {
  for (let i = offset; i < offset + length; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

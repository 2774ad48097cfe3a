#!/usr/bin/env python3
"""Independent reader for fragreplay trace format v1 (.frt), written from
traces/FORMAT.md alone as a cross-check of the reference reader.

Usage: spec_reader.py FILE.frt.  Prints "TYPE CPU TS F0 .. F7 TASK" per event
(decimal, fields as unsigned 64-bit, absent fields 0; TASK is "-" when the
event's task is unknown, else "PID TGID COMM COMM_HI", section 6.6).  Task
records are not events and are not printed.  A SNAPSHOT part with a
read_times section (format 1.2, section 8.2) prints "RT KIND PART PFN TS" per
entry, or "RT KIND PART malformed" where the entries break the rules; a part
whose header or sections do not hold together prints nothing (not damage).  Exit 0: complete;
1: unreadable, truncated or damaged (stderr: "PATH: frame N at byte offset
OFF: REASON", after the events of the valid prefix); 2: usage error.
"""
import json
import struct
import subprocess
import sys

U64 = (1 << 64) - 1
NONE_PFN = U64
LIMIT = 1 << 26                                   # 64 MiB (sections 3, 5.1)
FILE_MAGIC = b"\x89FRT\r\n\x1a\n"
FRAME_MAGIC = b"FRFM"
EVENTS, SNAPSHOT, STATS, TRAILER = 1, 2, 3, 4
UINT, SINT, PFN, GFP = 1, 2, 3, 4
TASK, TASK_SWITCH = 30, 31                        # section 6.6
TASK_TABLE_MAX = 65535


class Bad(Exception):
    """The current frame (or the file header) fails a check."""


# --- section 2: CRC32C, reflected, polynomial 0x82F63B78 -------------------
def _crc_byte(c):
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c


CRC_TABLE = [_crc_byte(n) for n in range(256)]   # one table step = 8 bit steps


def crc32c(data, crc=0):
    """CRC32C; pass a previous result as crc to continue over more bytes."""
    crc ^= 0xFFFFFFFF
    t = CRC_TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


# --- section 2: varint (unsigned LEB128, at most 10 bytes) -----------------
def varint(buf, p):
    """Return (value, new position); Bad if cut off, too long or overflowing."""
    v = shift = 0
    for i in range(10):
        if p >= len(buf):
            raise Bad("varint runs past the end of the payload")
        b = buf[p]
        p += 1
        if i == 9 and b > 1:    # 10th byte: only bit 0 (bit 63), no continuation
            raise Bad("varint longer than 10 bytes or overflowing 64 bits")
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, p
        shift += 7


def unzigzag(u):
    """Signed value of a zigzag-encoded u, as its 64-bit two's complement."""
    return (u >> 1) ^ (U64 if u & 1 else 0)


def signed64(v):
    """A 64-bit two's complement value as a Python int."""
    return v - (1 << 64) if v >> 63 else v


# --- section 5.1: zstd payload must be exactly one zstd frame (RFC 8878) ---
def zstd_frame_end(buf):
    """Walk one zstd frame's structure; return the offset just past it."""
    if len(buf) < 5 or buf[:4] != b"\x28\xb5\x2f\xfd":
        raise Bad("payload is not a zstd frame")
    fhd = buf[4]
    if fhd & 0x08:
        raise Bad("zstd frame header reserved bit set")
    single = (fhd >> 5) & 1
    fcs = (single, 2, 4, 8)[fhd >> 6]            # Frame_Content_Size bytes
    p = 5 + (0 if single else 1) + (0, 1, 2, 4)[fhd & 3] + fcs
    while True:
        if p + 3 > len(buf):
            raise Bad("zstd frame cut off")
        h = buf[p] | buf[p + 1] << 8 | buf[p + 2] << 16
        btype, size = (h >> 1) & 3, h >> 3
        if btype == 3:
            raise Bad("zstd reserved block type")
        p += 3 + (1 if btype == 1 else size)
        if h & 1:
            break
    return p + (4 if fhd & 0x04 else 0)


def zstd_decompress(stored):
    if zstd_frame_end(stored) != len(stored):
        raise Bad("stored payload is not exactly one zstd frame")
    r = subprocess.run(["zstd", "-dcq"], input=stored, capture_output=True)
    if r.returncode != 0:
        raise Bad("zstd decompression failed")
    return r.stdout


# --- section 6: EVENTS payload ---------------------------------------------
MIGRATEPAGES = 18       # section 6: mm_compaction_migratepages
FIX_MIGRATEPAGES = [False]


def decode_events(pl, records):
    """Return the list of output lines of one EVENTS payload, or raise Bad."""
    p = 0
    ntypes, p = varint(pl, p)
    if ntypes > 255:
        raise Bad("schema table has more than 255 entries")
    schema = {}
    for _ in range(ntypes):
        if p + 2 > len(pl):
            raise Bad("schema table cut off")
        t, n = pl[p], pl[p + 1]
        kinds = pl[p + 2:p + 2 + n]
        p += 2 + n
        # type 0, a repeated type, > 32 fields, cut off, or a kind outside 1..4
        if t == 0 or t in schema or n > 32 or len(kinds) < n or \
                any(k < UINT or k > GFP for k in kinds):
            raise Bad(f"bad schema table entry for type {t}")
        schema[t] = kinds
    out = []
    ts = last_pfn = 0
    gfp = []
    tasks = []          # section 6.6: entry n is tasks[n - 1]
    current = {}        # cpu -> entry number, 0 = none
    for _ in range(records):
        if p >= len(pl):
            raise Bad("payload ends before the record count is reached")
        t = pl[p]
        kinds = schema.get(t)
        if kinds is None:
            raise Bad(f"record of type {t} has no schema entry")
        cpu, p = varint(pl, p + 1)
        if cpu > 0xFFFFFFFF:
            raise Bad("cpu > 2^32-1")
        delta, p = varint(pl, p)
        ts += delta
        if ts > U64:
            raise Bad("timestamp exceeds 64 bits")
        fields = []
        for k in kinds:
            v, p = varint(pl, p)
            if k == SINT:
                v = unzigzag(v)
            elif k == PFN:
                if v == 0:
                    v = NONE_PFN
                else:
                    last_pfn = (last_pfn + unzigzag(v - 1)) & U64
                    if last_pfn == NONE_PFN:
                        raise Bad("a nonzero PFN code decoded to none")
                    v = last_pfn
            elif k == GFP:
                if v < len(gfp):
                    v = gfp[v]
                elif v == len(gfp) and v < 1024:
                    v, p = varint(pl, p)
                    gfp.append(v)
                else:
                    raise Bad("bad gfp dictionary index")
            fields.append(v)
        fields = (fields + [0] * 8)[:8]
        if t == TASK:
            pid, tgid = signed64(fields[0]), signed64(fields[1])
            if not -2**31 <= pid < 2**31 or not -2**31 <= tgid < 2**31:
                raise Bad("task record with a pid or tgid outside a C int")
            if len(tasks) == TASK_TABLE_MAX:
                raise Bad("more than 65535 task records in one frame")
            tasks.append(f"{pid} {tgid} {fields[2]} {fields[3]}")
            current[cpu] = len(tasks)
            continue
        if t == TASK_SWITCH:
            if fields[0] > len(tasks):
                raise Bad("task_switch to an entry the table does not hold")
            current[cpu] = fields[0]
            continue
        if t == MIGRATEPAGES and FIX_MIGRATEPAGES[0]:
            # metadata tp_btf_revision: the arguments stored as the fields
            done, ok = fields[0], fields[1]
            fields[0], fields[1] = ok, done - ok if done >= ok else 0
        n = current.get(cpu, 0)
        task = tasks[n - 1] if n else "-"
        out.append(f"{t} {cpu} {ts} " + " ".join(map(str, fields)) + " " + task)
    if p != len(pl):
        raise Bad("bytes left over after the last record")
    return out


# --- section 5.2: check one frame ------------------------------------------
def read_frame(data, off):
    """Return (type, next offset, event lines) for the frame at off, or raise Bad."""
    rem = len(data) - off
    if rem < 24:
        raise Bad("frame header truncated")
    hdr = data[off:off + 24]
    if hdr[:4] != FRAME_MAGIC:
        raise Bad("bad frame magic")
    ftype, flags = hdr[4], hdr[5]
    stored_size, raw_size, records, crc = struct.unpack_from("<IIII", hdr, 8)
    if stored_size > LIMIT or raw_size > LIMIT:
        raise Bad("frame size above 64 MiB")
    if rem - 24 < stored_size:
        raise Bad("frame payload truncated")
    stored = data[off + 24:off + 24 + stored_size]
    if crc32c(stored, crc32c(hdr[:20])) != crc:
        raise Bad("frame CRC mismatch")
    if flags & 1:
        payload = zstd_decompress(stored)
        if len(payload) != raw_size:
            raise Bad("decompressed size differs from raw_size")
    elif stored_size != raw_size:
        raise Bad("stored_size != raw_size in an uncompressed frame")
    else:
        payload = stored
    if ftype == EVENTS:
        lines = decode_events(payload, records)
    elif ftype == SNAPSHOT:
        lines = read_times(payload)
    else:
        lines = []
    return ftype, off + 24 + stored_size, lines


# --- section 8.2: SNAPSHOT read_times (format 1.2) --------------------------
def read_times(pl):
    """RT lines of one SNAPSHOT payload; [] when it has none or does not parse."""
    nul = pl.find(b"\0")
    if nul < 0:
        return []
    try:
        h = json.loads(pl[:nul])
    except ValueError:
        return []
    body = pl[nul + 1:]
    def uint(k, o=h):
        v = o.get(k) if isinstance(o, dict) else None
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None
    if not isinstance(h, dict):
        return []
    start, end, pbo = uint("start_pfn"), uint("end_pfn"), uint("pageblock_order")
    if None in (start, end, pbo) or end < start or pbo > 30 or (start | end) & ((1 << pbo) - 1):
        return []
    found = {}
    secs = h.get("sections")
    for sec in secs if isinstance(secs, list) else []:
        name = sec.get("name") if isinstance(sec, dict) else None
        soff, slen = uint("offset", sec), uint("length", sec)
        if not isinstance(name, str) or soff is None or slen is None or \
           soff > len(body) or slen > len(body) - soff:
            return []
        found[name] = body[soff:soff + slen]
    if "blocks" not in found or "pageblocks" not in found or \
       len(found["pageblocks"]) != (end - start) >> pbo or "read_times" not in found:
        return []
    kind = h.get("kind") if isinstance(h.get("kind"), str) else "?"
    part = h.get("part") if isinstance(h.get("part"), int) and not isinstance(h.get("part"), bool) else 0
    sec, p, pfn, ts, lines = found["read_times"], 0, start, uint("ts") or 0, []
    while p < len(sec):
        try:
            gap, p = varint(sec, p)
            dt, p = varint(sec, p)
        except Bad:
            return lines + [f"RT {kind} {part} malformed"]
        # later entries move on; none reaches end_pfn; times do not overflow
        if gap >= end - pfn or (lines and gap == 0) or dt > U64 - ts:
            return lines + [f"RT {kind} {part} malformed"]
        pfn, ts = pfn + gap, ts + dt
        lines.append(f"RT {kind} {part} {pfn} {ts}")
    return lines


# --- section 3: file header and metadata -----------------------------------
def open_trace(data):
    """Check the file header and metadata; return the first frame's offset."""
    if len(data) < 8 or data[:8] != FILE_MAGIC:
        raise Bad("not a trace (bad magic)")
    if len(data) < 32:
        raise Bad("file header truncated")
    major, minor, bom, _flags, m, mcrc, hcrc = struct.unpack_from("<HHIIIII", data, 8)
    if crc32c(data[:28]) != hcrc:
        raise Bad("file header damaged (header CRC mismatch)")
    if bom != 0x01020304:
        raise Bad("bad byte-order mark")
    if major != 1:
        raise Bad(f"format version {major}.{minor} is not supported")
    if m > LIMIT or len(data) - 32 < m or crc32c(data[32:32 + m]) != mcrc:
        raise Bad("metadata damaged")
    # section 4.2, tp_btf_revision: an older tp_btf mm_compaction_migratepages
    try:
        meta = json.loads(data[32:32 + m])
    except ValueError:
        meta = None
    if isinstance(meta, dict):
        attach = meta.get("bpf_attach")
        rev = meta.get("tp_btf_revision")
        FIX_MIGRATEPAGES[0] = (isinstance(attach, dict) and
                               attach.get("compaction:mm_compaction_migratepages") == "tp_btf"
                               and not (isinstance(rev, int) and rev >= 2))
    return 32 + m


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: spec_reader.py FILE.frt\n")
        return 2
    path = argv[1]
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        sys.stderr.write(f"{path}: {e.strerror}\n")
        return 2
    try:
        off = open_trace(data)
    except Bad as e:
        sys.stderr.write(f"{path}: {e}\n")
        return 1
    index = 0
    while True:
        if off == len(data):
            sys.stderr.write(f"{path}: frame {index} at byte offset {off}: "
                             "truncated (no trailer)\n")
            return 1
        try:
            ftype, nxt, lines = read_frame(data, off)
        except Bad as e:
            sys.stderr.write(f"{path}: frame {index} at byte offset {off}: {e}\n")
            return 1
        if lines:
            sys.stdout.write("\n".join(lines) + "\n")
        if ftype == TRAILER:
            return 0
        off, index = nxt, index + 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

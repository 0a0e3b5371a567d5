#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks that a blob is in the canonical form of module/citadel_abi.h.

Written apart from citadelctl's C code, so the layout is checked by a
second reading of the ABI, not by the code that wrote it:

    test_compiler_blob.py FILE.cpol [NAME VERSION FLAGS NET4 NET6]

Prints nothing and exits 0 if the blob is canonical (and, when given,
has that header and those rule counts); else prints why and exits 1.
"""
import struct
import sys

MAGIC = 0x4C4F5043
HEADER = struct.Struct("<IHHIIQII64s")  # 96 bytes
SECTION = struct.Struct("<IIII")  # 16 bytes
NET4 = struct.Struct("<4sBBHHHI")  # 16 bytes
NET6 = struct.Struct("<16sBBHHHII")  # 32 bytes
MAX_RULES = 1 << 20
MAX_BLOB = 16 << 20


def fail(msg):
    print(msg)
    sys.exit(1)


def host_bits_clear(addr, prefix):
    value = int.from_bytes(addr, "big")
    bits = len(addr) * 8
    return prefix <= bits and value & ((1 << (bits - prefix)) - 1) == 0


def main():
    blob = open(sys.argv[1], "rb").read()
    assert HEADER.size == 96 and SECTION.size == 16
    assert NET4.size == 16 and NET6.size == 32
    if len(blob) < 96:
        fail("shorter than a header")
    (magic, abi, hsize, total, flags, version, nsec, reserved,
     name) = HEADER.unpack_from(blob)
    if magic != MAGIC or abi != 1 or hsize != 96:
        fail("bad magic, ABI version or header size")
    if total != len(blob) or total % 8 or total > MAX_BLOB:
        fail("total_size %d for %d bytes" % (total, len(blob)))
    if flags & ~1 or reserved:
        fail("unknown flags or reserved header field set")
    text = name.rstrip(b"\0")
    if not text or b"\0" in text or len(text) > 63:
        fail("name not NUL-terminated and NUL-padded")
    if any(chr(c) not in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-" for c in text):
        fail("bad character in name")
    if nsec > 2:
        fail("%d sections" % nsec)
    end = 96 + 16 * nsec
    counts = {1: 0, 2: 0}
    last_type = 0
    for i in range(nsec):
        stype, off, size, count = SECTION.unpack_from(blob, 96 + 16 * i)
        if stype not in (1, 2) or stype <= last_type:
            fail("section %d: type %d out of order or unknown" % (i, stype))
        last_type = stype
        if count == 0 or count > MAX_RULES:
            fail("section %d: %d rules (empty sections are not emitted)" % (i, count))
        entry = NET4 if stype == 1 else NET6
        if size != count * entry.size:
            fail("section %d: size %d for %d rules" % (i, size, count))
        aligned = (end + 7) & ~7
        if off != aligned:
            fail("section %d: offset %d, canonical is %d" % (i, off, aligned))
        if any(blob[end:off]):
            fail("section %d: non-zero padding before it" % i)
        keys = []
        for k in range(count):
            fields = entry.unpack_from(blob, off + k * entry.size)
            addr, prefix, proto, scope, lo, hi, line = fields[:7]
            if stype == 2 and fields[7]:
                fail("net6 rule %d: reserved field set" % k)
            if not host_bits_clear(addr, prefix):
                fail("rule %d: prefix or host bits" % k)
            if stype == 2 and addr[:12] == b"\0" * 10 + b"\xff\xff":
                fail("rule %d: IPv4-mapped address left in net6" % k)
            if proto not in (1, 2) or scope != 0 or lo > hi or line == 0:
                fail("rule %d: proto %d scope %d ports %d-%d line %d" %
                     (k, proto, scope, lo, hi, line))
            keys.append((addr, prefix, proto, lo, hi))
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            fail("section %d: rules not sorted or not unique" % i)
        counts[stype] = count
        end = off + size
    if total != (end + 7) & ~7 or any(blob[end:]):
        fail("blob does not end at the last payload padded to 8")
    if len(sys.argv) == 7:
        want = sys.argv[2:]
        got = [text.decode(), str(version), str(flags), str(counts[1]),
               str(counts[2])]
        if want != got:
            fail("header/counts %s, expected %s" % (got, want))


main()

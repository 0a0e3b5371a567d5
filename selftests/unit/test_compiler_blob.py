#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Checks that a blob is in the canonical form of module/citadel_abi.h.

Written apart from citadelctl's C code, so the layout is checked by a
second reading of the ABI, not by the code that wrote it:

    test_compiler_blob.py FILE.cpol [NAME VERSION FLAGS [KEY=COUNT]...]

KEY is net4, net6, listen4, listen6, exec, libs, scopes or strings (a
section's entry count; 0 for a section that is absent). Prints nothing
and exits 0 if the blob is canonical (and, when given, has that header
and those counts); else prints why and exits 1.
"""
import struct
import sys

MAGIC = 0x4C4F5043
HEADER = struct.Struct("<IHHIIQII64s")  # 96 bytes
SECTION = struct.Struct("<IIII")  # 16 bytes
NET4 = struct.Struct("<4sBBHHHI")  # 16 bytes
NET6 = struct.Struct("<16sBBHHHII")  # 32 bytes
SCOPE = struct.Struct("<QIIIIQ")  # 32 bytes
EXEC = struct.Struct("<IIHBBI32s")  # 48 bytes
LIB = struct.Struct("<IIII")  # 16 bytes
MAX_RULES = 1 << 20
MAX_BLOB = 16 << 20
MAX_SCOPES = 4096
PATH_MAX = 4095
F_ALL = 0x7  # CPOL_F_AUDIT | CPOL_F_FILELESS | CPOL_F_REQUIRE_SIGNED
FAM_DEFAULT = (1 << 1) | (1 << 2) | (1 << 10) | (1 << 16)
NAMED_FAMILIES = {1, 2, 10, 16, 17, 63, 3, 5, 9, 15, 21, 26, 29, 30, 31, 33,
                  34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45}
NAME_CHARS = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")

# type: (name, entry struct or 1 for bytes)
KINDS = {1: ("net4", NET4), 2: ("net6", NET6), 3: ("strings", 1),
         4: ("scopes", SCOPE), 5: ("exec", EXEC), 6: ("libs", LIB),
         7: ("listen4", NET4), 8: ("listen6", NET6), 9: ("protect", LIB)}
MAX_PROTECT = 1024  # CPOL_MAX_PROTECT


def fail(msg):
    print(msg)
    sys.exit(1)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def host_bits_clear(addr, prefix):
    value = int.from_bytes(addr, "big")
    bits = len(addr) * 8
    return prefix <= bits and value & ((1 << (bits - prefix)) - 1) == 0


def canonical_path(p):
    if not p or p[0:1] != b"/" or len(p) > PATH_MAX:
        return False
    if any(c <= 0x20 or c in (0x7F, ord("#")) for c in p):
        return False  # the policy language cannot write these
    parts = p.split(b"/")
    # "/a/b/" splits into ["", "a", "b", ""]: only the first and last may be empty.
    inner = parts[1:-1] if p.endswith(b"/") and len(p) > 1 else parts[1:]
    if p == b"/":
        return True
    return all(x not in (b"", b".", b"..") for x in inner)


def main():
    blob = open(sys.argv[1], "rb").read()
    for s, size in ((HEADER, 96), (SECTION, 16), (NET4, 16), (NET6, 32),
                    (SCOPE, 32), (EXEC, 48), (LIB, 16)):
        assert s.size == size
    if len(blob) < 96:
        fail("shorter than a header")
    (magic, abi, hsize, total, flags, version, nsec, reserved,
     name) = HEADER.unpack_from(blob)
    if magic != MAGIC or abi != 1 or hsize != 96:
        fail("bad magic, ABI version or header size")
    if total != len(blob) or total % 8 or total > MAX_BLOB:
        fail("total_size %d for %d bytes" % (total, len(blob)))
    if flags & ~F_ALL or reserved:
        fail("unknown flags or reserved header field set")
    text = name.rstrip(b"\0")
    if not text or b"\0" in text or len(text) > 63:
        fail("name not NUL-terminated and NUL-padded")
    if any(c not in NAME_CHARS for c in text):
        fail("bad character in name")
    if nsec > 9:
        fail("%d sections" % nsec)
    end = 96 + 16 * nsec
    counts = {k[0]: 0 for k in KINDS.values()}
    payload = {}
    last_type = 0
    for i in range(nsec):
        stype, off, size, count = SECTION.unpack_from(blob, 96 + 16 * i)
        if stype not in KINDS or stype <= last_type:
            fail("section %d: type %d out of order or unknown" % (i, stype))
        last_type = stype
        sname, entry = KINDS[stype]
        if count == 0 or count > MAX_RULES:
            fail("section %d: %d entries (empty sections are not emitted)" % (i, count))
        esize = 1 if entry == 1 else entry.size
        if size != count * esize:
            fail("section %d: size %d for %d entries" % (i, size, count))
        aligned = (end + 7) & ~7
        if off != aligned:
            fail("section %d: offset %d, canonical is %d" % (i, off, aligned))
        if any(blob[end:off]):
            fail("section %d: non-zero padding before it" % i)
        counts[sname] = count
        payload[sname] = (off, count, entry)
        end = off + size
    if total != (end + 7) & ~7 or any(blob[end:]):
        fail("blob does not end at the last payload padded to 8")

    # STRINGS: distinct, sorted, NUL-terminated, each one referenced.
    if "strings" not in payload:
        fail("no strings section (the global scope's name is always there)")
    off, count, _ = payload["strings"]
    sbytes = blob[off:off + count]
    if sbytes[-1:] != b"\0":
        fail("strings do not end with a NUL")
    strings = sbytes[:-1].split(b"\0")
    if strings != sorted(set(strings)):
        fail("strings not sorted or not unique: %r" % strings[:8])
    starts = {}
    pos = 0
    for s in strings:
        starts[pos] = s
        pos += len(s) + 1
    used = set()

    def string_at(soff, slen, what):
        s = starts.get(soff)
        if s is None or len(s) != slen:
            fail("%s: string reference %d+%d is not a whole string" % (what, soff, slen))
        used.add(soff)
        return s

    # SCOPES: global first, then services with their FNV-1a ids.
    if "scopes" not in payload:
        fail("no scopes section")
    off, nscopes, _ = payload["scopes"]
    if nscopes > MAX_SCOPES:
        fail("%d scopes" % nscopes)
    names = []
    for k in range(nscopes):
        sid, noff, nlen, sflags, sres, fam = SCOPE.unpack_from(blob, off + 32 * k)
        sname = string_at(noff, nlen, "scope %d" % k)
        if sres or sflags & ~0x1f:
            fail("scope %d: reserved or unknown flags" % k)
        if any(b not in NAMED_FAMILIES for b in range(64) if fam >> b & 1):
            fail("scope %d: family without a name" % k)
        if k == 0:
            if sid or sname != b"global" or sflags & 1 or fam & FAM_DEFAULT != FAM_DEFAULT:
                fail("scope 0 is not global with the default families")
            continue
        if (not sname or len(sname) > 63 or sname == b"global" or
                any(c not in NAME_CHARS for c in sname)):
            fail("scope %d: bad name %r" % (k, sname))
        if sid != fnv1a64(sname) or sid == 0:
            fail("scope %d: id 0x%x is not FNV-1a 64 of %r" % (k, sid, sname))
        if fam & FAM_DEFAULT:
            fail("scope %d: default families belong to the global scope" % k)
        names.append(sname)
    if len(set(names)) != len(names):
        fail("duplicate service names")

    # EXEC: canonical paths, hash rules, sorted, unique, one service per path.
    keys = []
    owner = {}
    if "exec" in payload:
        off, count, _ = payload["exec"]
        for k in range(count):
            poff, plen, scope, has_hash, res, line, sha = EXEC.unpack_from(blob, off + 48 * k)
            path = string_at(poff, plen, "exec %d" % k)
            if not canonical_path(path):
                fail("exec %d: path %r is not canonical" % (k, path))
            if res or has_hash > 1 or scope >= nscopes or line == 0:
                fail("exec %d: reserved %d has_hash %d scope %d line %d" %
                     (k, res, has_hash, scope, line))
            if not has_hash and any(sha):
                fail("exec %d: hash bytes without has_hash" % k)
            if has_hash and path.endswith(b"/"):
                fail("exec %d: hash on a prefix" % k)
            if scope:
                if owner.setdefault(path, scope) != scope:
                    fail("exec %d: %r is an entry of two services" % (k, path))
            keys.append((path, scope, has_hash, sha))
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            fail("exec rules not sorted or not unique")

    if "libs" in payload:
        off, count, _ = payload["libs"]
        paths = []
        for k in range(count):
            poff, plen, line, res = LIB.unpack_from(blob, off + 16 * k)
            path = string_at(poff, plen, "libs %d" % k)
            if not canonical_path(path) or res or line == 0:
                fail("libs %d: path %r reserved %d line %d" % (k, path, res, line))
            paths.append(path)
        if paths != sorted(paths) or len(set(paths)) != len(paths):
            fail("libs rules not sorted or not unique")

    if "protect" in payload:
        # The same layout as libs; line 0 marks a default of the compiler.
        off, count, _ = payload["protect"]
        if count > MAX_PROTECT:
            fail("%d protect rules, at most %d" % (count, MAX_PROTECT))
        paths = []
        for k in range(count):
            poff, plen, line, res = LIB.unpack_from(blob, off + 16 * k)
            path = string_at(poff, plen, "protect %d" % k)
            if not canonical_path(path) or res:
                fail("protect %d: path %r reserved %d" % (k, path, res))
            paths.append(path)
        if paths != sorted(paths) or len(set(paths)) != len(paths):
            fail("protect rules not sorted or not unique")

    if used != set(starts):
        fail("unreferenced strings in the strings section")

    for sname in ("net4", "net6", "listen4", "listen6"):
        if sname not in payload:
            continue
        off, count, entry = payload[sname]
        keys = []
        for k in range(count):
            fields = entry.unpack_from(blob, off + k * entry.size)
            addr, prefix, proto, scope, lo, hi, line = fields[:7]
            if entry is NET6 and fields[7]:
                fail("%s rule %d: reserved field set" % (sname, k))
            if not host_bits_clear(addr, prefix):
                fail("%s rule %d: prefix or host bits" % (sname, k))
            if entry is NET6 and addr[:12] == b"\0" * 10 + b"\xff\xff":
                fail("%s rule %d: IPv4-mapped address left in an IPv6 section" % (sname, k))
            if proto not in (1, 2) or scope >= nscopes or lo > hi or line == 0:
                fail("%s rule %d: proto %d scope %d ports %d-%d line %d" %
                     (sname, k, proto, scope, lo, hi, line))
            keys.append((scope, addr, prefix, proto, lo, hi))
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            fail("%s: rules not sorted or not unique" % sname)

    if len(sys.argv) >= 5:
        want = sys.argv[2:5]
        got = [text.decode(), str(version), str(flags)]
        if want != got:
            fail("header %s, expected %s" % (got, want))
        for kv in sys.argv[5:]:
            key, value = kv.split("=")
            if counts[key] != int(value):
                fail("%s: %d entries, expected %s" % (key, counts[key], value))


main()

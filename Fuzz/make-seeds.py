#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/corpus/ (committed; rerun after changing a fixture).

sdp/   the offer fixtures of Tests/JunctionRTCTests/Fixtures.swift (aiortc,
       Chromium, Chromium with audio and video, Firefox, legacy sctpmap), as
       the peers send them (CRLF), and the aiortc one with LF as well.
stun/  the RFC 5769 §2.1-2.3 vectors, and ICE checks as aiortc and Chromium
       send them to an agent with RFC 5769's credentials (ufrag evtj, the
       peer's h6vY), which is what Fuzz/FuzzSTUN.swift runs: nominating,
       not nominating, unsigned, with an unknown required attribute, a
       keepalive indication and an error response.
dcep/  DATA_CHANNEL_OPEN for each channel type and DATA_CHANNEL_ACK.
"""
import hmac
import os
import re
import struct
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")
TESTS = os.path.join(ROOT, "..", "Tests", "JunctionRTCTests")
FIXTURES = os.path.join(TESTS, "Fixtures.swift")
STUN_VECTORS = os.path.join(TESTS, "STUNVectorTests.swift")


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


# ---- SDP: the Swift fixtures, interpolations resolved, indentation removed.

def sdp_seeds():
    swift = open(FIXTURES, encoding="utf-8").read()
    constants = dict(re.findall(r'static let (certificateSHA\d+) =\s*"([^"]+)"', swift))
    for name, body in re.findall(r'static let (\w+Offer|\w+Data) = """\n(.*?)\n\s*"""', swift, re.S):
        lines = [line[8:] if line.startswith(" " * 8) else line.strip() for line in body.split("\n")]
        text = "\n".join(lines) + "\n"
        text = re.sub(r"\\\((\w+)\)", lambda m: constants[m.group(1)], text)
        text = text.rstrip("\n") + "\n"
        write("sdp", f"{name}.sdp", text.replace("\n", "\r\n").encode())
        if name == "aiortcOffer":
            write("sdp", f"{name}-lf.sdp", text.encode())


# ---- STUN (RFC 8489): attributes padded to 4 bytes, MESSAGE-INTEGRITY, FINGERPRINT.

COOKIE = 0x2112A442
PASSWORD = b"VOkJxbRl1RmTxUk/WvJxBt"
TID = bytes.fromhex("b7e7a701bc34d686fa87dfae")


def attribute(kind, value):
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def stun(kind, attributes, key=PASSWORD, fingerprint=True, tid=TID):
    body = b"".join(attribute(k, v) for k, v in attributes)
    message = struct.pack("!HHI", kind, len(body), COOKIE) + tid + body
    if key is not None:
        covered = message[:2] + struct.pack("!H", len(message) - 20 + 24) + message[4:]
        message = covered + attribute(0x0008, hmac.new(key, covered, "sha1").digest())
    if fingerprint:
        covered = message[:2] + struct.pack("!H", len(message) - 20 + 8) + message[4:]
        crc = zlib.crc32(covered) ^ 0x5354554E
        message = covered + attribute(0x8028, struct.pack("!I", crc))
    return message


def stun_seeds():
    # The vectors as STUNVectorTests.swift lists them (RFC 5769 verbatim).
    swift = open(STUN_VECTORS, encoding="utf-8").read()
    vectors = dict(re.findall(r'static let (sample\w+) = hex\("""(.*?)"""\)', swift, re.S))
    names = {"sampleRequest": "rfc5769-request", "sampleIPv4Response": "rfc5769-ipv4-response",
             "sampleIPv6Response": "rfc5769-ipv6-response"}
    assert sorted(vectors) == sorted(names), vectors.keys()
    for name, text in vectors.items():
        write("stun", f"{names[name]}.bin", bytes.fromhex("".join(text.split())))

    username = (0x0006, b"evtj:h6vY")
    priority = (0x0024, struct.pack("!I", 1853824767))
    controlling = (0x802A, struct.pack("!Q", 0x932FF9B151263B36))
    write("stun", "check-nominate.bin", stun(0x0001, [username, priority, controlling, (0x0025, b"")]))
    network_info = (0xC057, struct.pack("!HH", 1, 10))  # Chromium's GOOG-NETWORK-INFO
    write("stun", "check-chromium.bin", stun(0x0001, [username, network_info, controlling, priority]))
    write("stun", "check-unsigned.bin", stun(0x0001, [username, priority, controlling], key=None))
    write("stun", "check-unknown-required.bin", stun(0x0001, [username, (0x7F01, b"\1\2\3"), controlling, priority]))
    write("stun", "indication.bin", stun(0x0011, [], key=None))
    error = (0x0009, b"\0\0\x04\x57Role Conflict")
    write("stun", "error-487.bin", stun(0x0111, [error, (0x000A, struct.pack("!HH", 0x7F01, 0x0024))]))


# ---- DCEP (RFC 8832 §5).

def dcep_open(channel_type, label, protocol=b"", priority=256, parameter=0):
    header = struct.pack("!BBHIHH", 0x03, channel_type, priority, parameter, len(label), len(protocol))
    return header + label + protocol


def dcep_seeds():
    write("dcep", "ack.bin", b"\x02")
    write("dcep", "open-reliable.bin", dcep_open(0x00, b"chat"))
    write("dcep", "open-reliable-unordered.bin", dcep_open(0x80, b"unordered", b"json", priority=512))
    write("dcep", "open-rexmit.bin", dcep_open(0x01, b"rexmit", parameter=3))
    write("dcep", "open-rexmit-unordered-0.bin", dcep_open(0x81, b"lossy", parameter=0))
    write("dcep", "open-timed.bin", dcep_open(0x02, "télémétrie".encode(), b"proto", parameter=500))
    write("dcep", "open-timed-unordered.bin", dcep_open(0x82, b"", parameter=70000))
    write("dcep", "open-empty.bin", dcep_open(0x00, b""))


if __name__ == "__main__":
    sdp_seeds()
    stun_seeds()
    dcep_seeds()

import Testing
@testable import JunctionRTC

@Suite("OpenSSL wrappers")
struct CryptoTests {
    @Test("HMAC-SHA1 matches RFC 2202 test cases 1 and 2")
    func hmacSHA1() throws {
        let one = try HMAC.sha1(key: [UInt8](repeating: 0x0B, count: 20), data: Array("Hi There".utf8))
        #expect(one == hex("b617318655057264e28bc0b6fb378c8ef146be00"))
        let two = try HMAC.sha1(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8))
        #expect(two == hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
        #expect(HMAC.matches(two, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
        #expect(!HMAC.matches(one, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
        #expect(!HMAC.matches(two.dropLast(), key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)))
    }

    @Test("HMAC with an empty key and empty data is the published value")
    func hmacEmpty() throws {
        #expect(try HMAC.sha1(key: [], data: []) == hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"))
    }

    @Test("SHA digests of 'abc' are the FIPS 180 values")
    func digests() throws {
        let abc = Array("abc".utf8)
        #expect(try OpenSSLDigest.sha1.hash(abc) == hex("a9993e364706816aba3e25717850c26c9cd0d89d"))
        #expect(try OpenSSLDigest.sha256.hash(abc) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(try OpenSSLDigest.sha384.hash(abc).prefix(8) == hex("cb00753f45a35e8b")[...])
        #expect(try OpenSSLDigest.sha512.hash(abc).prefix(8) == hex("ddaf35a193617aba")[...])
        for digest in OpenSSLDigest.allCases {
            #expect(try digest.hash([]).count == digest.length)
        }
    }

    @Test("zlib's CRC-32 gives the standard check value")
    func crc32() {
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let bytes = Array("xx123456789".utf8)
        #expect(CRC32.checksum(bytes[2...]) == 0xCBF4_3926)
    }

    @Test("Random bytes have the asked length and differ between calls")
    func random() throws {
        #expect(try SecureRandom.bytes(0).isEmpty)
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.uint64() != SecureRandom.uint64())
    }
}

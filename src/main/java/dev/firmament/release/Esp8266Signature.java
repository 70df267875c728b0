package dev.firmament.release;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;

/**
 * The signed-update layout the ESP8266 core's {@code Updater} verifies (its {@code tools/signing.py}): the image, then
 * an RSA PKCS#1 v1.5 signature of the image's SHA-256 (what {@code openssl dgst -sha256 -sign} makes), then the
 * signature's length as a little-endian u32. The {@code Updater} reads the length from the last four bytes, the
 * signature before them, and hashes the rest.
 */
final class Esp8266Signature {

    /** The DER prefix of a SHA-256 {@code DigestInfo}: with the hash after it, what PKCS#1 v1.5 signs. */
    private static final byte[] SHA256_DIGEST_INFO = java.util.HexFormat.of()
            .parseHex("3031300d060960864801650304020105000420");

    private Esp8266Signature() {
    }

    /** The trailer to append to an image whose SHA-256 is {@code sha256}: signature, then its length. */
    static byte[] trailer(PrivateKey key, byte[] sha256) throws GeneralSecurityException {
        Signature rsa = Signature.getInstance("NONEwithRSA");
        rsa.initSign(key);
        rsa.update(digestInfo(sha256));
        byte[] signature = rsa.sign();
        byte[] trailer = new byte[signature.length + 4];
        System.arraycopy(signature, 0, trailer, 0, signature.length);
        int n = signature.length;
        trailer[n] = (byte) n;
        trailer[n + 1] = (byte) (n >> 8);
        trailer[n + 2] = (byte) (n >> 16);
        trailer[n + 3] = (byte) (n >> 24);
        return trailer;
    }

    /** Whether {@code signature} is {@code key}'s signature of the payload whose SHA-256 is {@code sha256}. */
    static boolean verifies(PublicKey key, byte[] sha256, byte[] signature) throws GeneralSecurityException {
        Signature rsa = Signature.getInstance("NONEwithRSA");
        rsa.initVerify(key);
        rsa.update(digestInfo(sha256));
        return rsa.verify(signature);
    }

    /** The signature length a key makes: the modulus in bytes (256 for RSA-2048). */
    static int signatureLength(PublicKey key) {
        return (((RSAKey) key).getModulus().bitLength() + 7) / 8;
    }

    /** The length the last four bytes of {@code tail} declare (little-endian u32). */
    static long declaredLength(byte[] tail) {
        int at = tail.length - 4;
        return (tail[at] & 0xffL) | (tail[at + 1] & 0xffL) << 8 | (tail[at + 2] & 0xffL) << 16
                | (tail[at + 3] & 0xffL) << 24;
    }

    private static byte[] digestInfo(byte[] sha256) {
        byte[] info = new byte[SHA256_DIGEST_INFO.length + sha256.length];
        System.arraycopy(SHA256_DIGEST_INFO, 0, info, 0, SHA256_DIGEST_INFO.length);
        System.arraycopy(sha256, 0, info, SHA256_DIGEST_INFO.length, sha256.length);
        return info;
    }
}

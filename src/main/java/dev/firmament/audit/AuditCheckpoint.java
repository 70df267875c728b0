package dev.firmament.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A signed statement that {@code chain} had event {@code seq} with {@code hash} at {@code at}. Its text form is what
 * the object store keeps and an auditor checks: the lines up to the last are the signed message, the last line is the
 * Ed25519 signature in base64, so {@code openssl pkeyutl -verify -rawin} checks it without any Firmament code.
 */
public record AuditCheckpoint(String chain, long seq, String hash, Instant at, String keyId, String signature) {

    static final String FORMAT = "firmament-audit-checkpoint 1";
    static final String PREFIX = "audit-checkpoints/";

    /** The signed message: every line but the signature's, each ending in a newline. */
    @JsonIgnore
    public byte[] message() {
        return (FORMAT + "\nchain: " + chain + "\nseq: " + seq + "\nhash: " + hash + "\nat: " + at + "\nkey: " + keyId
                + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The stored form: the message, then the signature line. */
    @JsonProperty
    public String text() {
        return new String(message(), StandardCharsets.UTF_8) + "signature: " + signature + "\n";
    }

    /** The record's name in the object store; names sort by sequence number. */
    @JsonProperty
    public String object() {
        return objectName(chain, seq);
    }

    static String objectName(String chain, long seq) {
        return prefix(chain) + String.format("%019d", seq) + ".txt";
    }

    static String prefix(String chain) {
        return PREFIX + chain + "/";
    }

    /** Parses the stored form; refuses anything that is not exactly it. */
    static AuditCheckpoint parse(String text) {
        List<String> lines = text.lines().toList();
        if (lines.size() != 7 || !lines.get(0).equals(FORMAT) || !text.endsWith("\n")) {
            throw new IllegalArgumentException("not a checkpoint in format " + FORMAT);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(": ");
            if (colon < 0) {
                throw new IllegalArgumentException("line without a field name: " + line);
            }
            fields.put(line.substring(0, colon), line.substring(colon + 2));
        }
        if (!List.copyOf(fields.keySet()).equals(List.of("chain", "seq", "hash", "at", "key", "signature"))) {
            throw new IllegalArgumentException(
                    "fields are not chain, seq, hash, at, key, signature: " + fields.keySet());
        }
        try {
            AuditCheckpoint checkpoint = new AuditCheckpoint(fields.get("chain"), Long.parseLong(fields.get("seq")),
                    fields.get("hash"), Instant.parse(fields.get("at")), fields.get("key"), fields.get("signature"));
            if (!checkpoint.text().equals(text)) {
                throw new IllegalArgumentException("not in canonical form");
            }
            return checkpoint;
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}

package dev.sluice.storage.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The id of a row of a deduplicated append table: a name-based UUID (MD5, version 3) of the row's values in column
 * order. Equal values give equal ids, so a row that a pipeline writes again after a restart (at-least-once delivery)
 * is recognised; two different rows collide with a probability of about 2<sup>-122</sup> per pair.
 *
 * <p>The values are encoded without ambiguity before hashing: per column a marker byte (null or not) and, for a value,
 * its UTF-8 length in four bytes followed by the bytes. Not thread-safe: one instance per writer.
 */
public final class RowIds {
    private final MessageDigest md5;
    private byte[] buffer = new byte[256];

    public RowIds() {
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This Java runtime has no MD5 digest, which every Java SE runtime must provide", e);
        }
    }

    /** The id of a row with these values (canonical column text, null for SQL NULL), as UUID text. */
    public String of(String[] values) {
        return uuid(values).toString();
    }

    /** The id of a row with these values (canonical column text, null for SQL NULL). */
    public java.util.UUID uuid(String[] values) {
        int length = 0;
        for (String v : values) {
            if (v == null) {
                length = put(length, (byte) 0);
            } else {
                byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
                length = put(length, (byte) 1);
                length = put(length, (byte) (bytes.length >>> 24));
                length = put(length, (byte) (bytes.length >>> 16));
                length = put(length, (byte) (bytes.length >>> 8));
                length = put(length, (byte) bytes.length);
                ensure(length + bytes.length);
                System.arraycopy(bytes, 0, buffer, length, bytes.length);
                length += bytes.length;
            }
        }
        md5.update(buffer, 0, length);
        byte[] hash = md5.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        return new java.util.UUID(bits(hash, 0), bits(hash, 8));
    }

    private int put(int at, byte b) {
        ensure(at + 1);
        buffer[at] = b;
        return at + 1;
    }

    private void ensure(int capacity) {
        if (capacity > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(capacity, buffer.length * 2));
        }
    }

    private static long bits(byte[] bytes, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = (value << 8) | (bytes[i] & 0xff);
        }
        return value;
    }
}

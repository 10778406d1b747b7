package dev.sluice.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an ingest request body into records: one JSON object (one record), a JSON array (one record per element), or
 * NDJSON (one record per non-blank line), gzip-compressed or not. Both the body as sent and the body after gzip are
 * bounded, and neither bound is exceeded by more than one buffer while reading: a large or inflating body is refused
 * without being held in memory. Records are not judged here; the source's parser does that, one by one.
 */
public final class IngestBody {
    private static final JsonFactory JSON = new JsonFactory();

    /** The records of a body and, for NDJSON, the 1-based line of each. */
    public record Records(List<byte[]> records, int[] lines) {}

    /** The body is larger than allowed (HTTP 413). */
    public static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message, null, false, false);
        }
    }

    /** The body cannot be split into records (HTTP 400). */
    public static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** The media types a body may have. */
    public enum Form {
        JSON, NDJSON;

        /** The form of a Content-Type, or null when it is neither JSON nor NDJSON. */
        public static Form of(String contentType) {
            if (contentType == null) {
                return null;
            }
            String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
            return switch (type) {
                case "application/json" -> JSON;
                case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines" -> NDJSON;
                default -> null;
            };
        }
    }

    private IngestBody() {}

    /**
     * Reads at most {@code maxBody} bytes from {@code in}, inflates them when {@code gzip} to at most {@code maxInflated}
     * bytes, and splits the result.
     */
    public static Records read(InputStream in, boolean gzip, Form form, long maxBody, long maxInflated)
            throws IOException, TooLarge, Malformed {
        byte[] raw = readBounded(in, maxBody, "the body is larger than ingest.max-body-size (" + maxBody
                + " bytes); send fewer records per request");
        byte[] body = raw;
        if (gzip) {
            try (InputStream inflater = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 8192)) {
                body = readBounded(inflater, maxInflated, "the gzip body inflates to more than ingest.max-decompressed-size ("
                        + maxInflated + " bytes); send fewer records per request");
            } catch (ZipException | java.io.EOFException e) {
                throw new Malformed("the body is not valid gzip (Content-Encoding: gzip): " + e.getMessage());
            }
        }
        return form == Form.NDJSON ? lines(body) : json(body);
    }

    private static byte[] readBounded(InputStream in, long max, String tooLarge) throws IOException, TooLarge {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > max) {
                throw new TooLarge(tooLarge);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static Records lines(byte[] body) {
        List<byte[]> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int start = 0;
        int line = 1;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int end = i;
                if (end > start && body[end - 1] == '\r') {
                    end--;
                }
                if (!isBlank(body, start, end)) {
                    records.add(Arrays.copyOfRange(body, start, end));
                    lines.add(line);
                }
                start = i + 1;
                line++;
            }
        }
        return new Records(records, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** An array is split into its elements; anything else is one record for the parser to judge. */
    static Records json(byte[] body) throws Malformed {
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new Malformed("the body is empty; send a JSON object, a JSON array of objects, or NDJSON");
            }
            if (first != JsonToken.START_ARRAY) {
                return new Records(List.of(body), null);
            }
            List<byte[]> records = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new Malformed("the JSON array is not closed: expected ']' at the end of the body");
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                p.finishToken(); // a string's end is only known once it is read
                int end = (int) p.currentLocation().getByteOffset();
                records.add(Arrays.copyOfRange(body, start, end));
            }
            if (p.nextToken() != null) {
                throw new Malformed("unexpected data after the JSON array at byte " + (p.currentTokenLocation().getByteOffset() + 1));
            }
            return new Records(records, null);
        } catch (JsonProcessingException e) {
            throw new Malformed("the body is not a well-formed JSON array: " + e.getOriginalMessage() + " at byte "
                    + (e.getLocation() == null ? 1 : e.getLocation().getByteOffset() + 1)
                    + "; send NDJSON (Content-Type: application/x-ndjson) to have each bad line rejected on its own");
        } catch (IOException e) {
            throw new Malformed("the body cannot be read as JSON: " + e.getMessage());
        }
    }
}

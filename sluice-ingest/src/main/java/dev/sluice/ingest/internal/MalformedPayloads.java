package dev.sluice.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Turns a good event's JSON into one of the broken records real producers send, so that a pipeline's dead-letter
 * path gets exercised: cut-off JSON, the first number written as text with a decimal comma ({@code "12,34"}), the
 * {@code ts} timestamp in a local format instead of ISO-8601, and a line that is not JSON at all. Works for every
 * generator's flat JSON objects, whose event time is the field {@code ts}.
 */
public final class MalformedPayloads {

    private MalformedPayloads() {}

    /** @param goodJson a valid flat JSON object as written by {@link JsonObjectWriter} */
    public static byte[] corrupt(String goodJson, SplittableRandom random) {
        String bad = switch (random.nextInt(4)) {
            case 0 -> goodJson.substring(0, 1 + random.nextInt(goodJson.length() - 2));
            case 1 -> numberAsText(goodJson);
            case 2 -> replaceTimestamp(goodJson);
            default -> notJson(goodJson);
        };
        return bad.getBytes(StandardCharsets.UTF_8);
    }

    /** The first number value quoted, with a decimal comma: {@code "amount":12.34} becomes {@code "amount":"12,34"}. */
    private static String numberAsText(String json) {
        int at = 0;
        while ((at = json.indexOf("\":", at)) >= 0) {
            int start = at + 2;
            char c = start < json.length() ? json.charAt(start) : '"';
            if (c == '-' || (c >= '0' && c <= '9')) {
                int end = start;
                while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '}') {
                    end++;
                }
                return json.substring(0, start) + "\"" + json.substring(start, end).replace('.', ',') + "\""
                        + json.substring(end);
            }
            at = start;
        }
        return notJson(json);
    }

    private static String replaceTimestamp(String json) {
        int field = json.indexOf("\"ts\":\"");
        if (field < 0) {
            return notJson(json);
        }
        int start = field + 6;
        int end = json.indexOf('"', start);
        String iso = json.substring(start, end); // 2026-11-24T15:00:00.123Z
        String local = iso.substring(8, 10) + "/" + iso.substring(5, 7) + "/" + iso.substring(0, 4) + " "
                + iso.substring(11, 19);
        return json.substring(0, start) + local + json.substring(end);
    }

    private static String notJson(String json) {
        return json.replace("{", "").replace("}", "").replace("\"", "").replace(',', ';');
    }
}

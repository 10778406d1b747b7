package dev.sluice.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Turns a good payment's JSON into one of the broken records real producers send, so that a pipeline's
 * dead-letter path gets exercised: cut-off JSON, an amount that is not a number, a timestamp that is not
 * ISO-8601, and a line that is not JSON at all.
 */
public final class MalformedPayloads {

    private MalformedPayloads() {}

    /**
     * @param goodJson a valid payment JSON document as written by {@link PaymentJsonWriter}
     * @param amount   the payment's amount as plain text, e.g. {@code 12.34}
     */
    static byte[] corrupt(String goodJson, String amount, SplittableRandom random) {
        String bad = switch (random.nextInt(4)) {
            case 0 -> goodJson.substring(0, 1 + random.nextInt(goodJson.length() - 2));
            case 1 -> goodJson.replace("\"amount\":" + amount, "\"amount\":\"" + amount.replace('.', ',') + "\"");
            case 2 -> replaceTimestamp(goodJson);
            default -> goodJson.replace("{", "").replace("}", "").replace("\"", "").replace(',', ';');
        };
        return bad.getBytes(StandardCharsets.UTF_8);
    }

    private static String replaceTimestamp(String json) {
        int start = json.indexOf("\"ts\":\"") + 6;
        int end = json.indexOf('"', start);
        String iso = json.substring(start, end); // 2026-11-24T15:00:00.123Z
        String local = iso.substring(8, 10) + "/" + iso.substring(5, 7) + "/" + iso.substring(0, 4) + " "
                + iso.substring(11, 19);
        return json.substring(0, start) + local + json.substring(end);
    }
}

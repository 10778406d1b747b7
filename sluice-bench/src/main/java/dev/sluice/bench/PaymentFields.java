package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;

/**
 * What the windowed aggregation needs from a payment's JSON ({@code merchant_id}, {@code amount} in cents, {@code ts} in
 * epoch millis), read with Jackson's streaming parser: the hand-written way, as a user tuning a job would write it. One
 * instance per thread (it keeps its factory; the parser of each record is closed after it).
 */
final class PaymentFields {
    private final JsonFactory factory = new JsonFactory();
    String merchant;
    long cents;
    long ts;

    /** Reads {@code json}; false when a field is missing or the record is not a JSON object. */
    boolean read(byte[] json) throws IOException {
        merchant = null;
        cents = Long.MIN_VALUE;
        ts = Long.MIN_VALUE;
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "merchant_id" -> merchant = p.getText();
                    case "amount" -> cents = cents(p.getText());
                    case "ts" -> ts = Instant.parse(p.getText()).toEpochMilli();
                    default -> {
                        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                            p.skipChildren();
                        }
                    }
                }
            }
        }
        return merchant != null && cents != Long.MIN_VALUE && ts != Long.MIN_VALUE;
    }

    /** {@code 12.34} -> 1234; amounts have at most two decimals. */
    static long cents(String text) {
        int dot = text.indexOf('.');
        if (dot < 0) {
            return Long.parseLong(text) * 100;
        }
        String fraction = (text.substring(dot + 1) + "00").substring(0, 2);
        long whole = dot == 0 ? 0 : Long.parseLong(text.substring(0, dot));
        long sign = text.startsWith("-") ? -1 : 1;
        return whole * 100 + sign * Long.parseLong(fraction);
    }
}

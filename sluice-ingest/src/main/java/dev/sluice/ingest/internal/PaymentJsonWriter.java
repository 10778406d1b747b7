package dev.sluice.ingest.internal;

import dev.sluice.ingest.Payment;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes the JSON wire form of a {@link Payment} by hand: this runs once per generated event, so it avoids
 * reflection and keeps the formatted date-time of the current second, since consecutive events almost always
 * share it. Not thread-safe; one instance per producing thread.
 */
public final class PaymentJsonWriter {

    private final StringBuilder buffer = new StringBuilder(192);
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedSecondText = "";

    public byte[] toBytes(Payment payment) {
        return toJson(payment).getBytes(StandardCharsets.UTF_8);
    }

    public String toJson(Payment payment) {
        StringBuilder out = buffer;
        out.setLength(0);
        out.append("{\"payment_id\":");
        appendString(out, payment.paymentId());
        out.append(",\"card_id\":");
        appendString(out, payment.cardId());
        out.append(",\"merchant_id\":");
        appendString(out, payment.merchantId());
        out.append(",\"amount\":").append(payment.amount().toPlainString());
        out.append(",\"currency\":");
        appendString(out, payment.currency());
        out.append(",\"country\":");
        appendString(out, payment.country());
        out.append(",\"ts\":\"");
        appendTimestamp(out, payment.eventTime().toEpochMilli());
        out.append("\"}");
        return out.toString();
    }

    /** ISO-8601 UTC with exactly three fraction digits and {@code Z}, e.g. {@code 2026-11-24T15:00:00.123Z}. */
    private void appendTimestamp(StringBuilder out, long epochMilli) {
        long second = Math.floorDiv(epochMilli, 1000L);
        int millis = (int) Math.floorMod(epochMilli, 1000L);
        if (second != cachedSecond) {
            cachedSecondText = formatSecond(second);
            cachedSecond = second;
        }
        out.append(cachedSecondText).append('.');
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        out.append(millis).append('Z');
    }

    private static String formatSecond(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder s = new StringBuilder(19);
        int year = t.getYear();
        if (year > 9999) {
            s.append('+').append(year);
        } else if (year < 0) {
            s.append('-');
            pad(s, -year, 4);
        } else {
            pad(s, year, 4);
        }
        s.append('-');
        pad(s, t.getMonthValue(), 2);
        s.append('-');
        pad(s, t.getDayOfMonth(), 2);
        s.append('T');
        pad(s, t.getHour(), 2);
        s.append(':');
        pad(s, t.getMinute(), 2);
        s.append(':');
        pad(s, t.getSecond(), 2);
        return s.toString();
    }

    private static void pad(StringBuilder s, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            s.append('0');
        }
        s.append(digits);
    }

    private static void appendString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00");
                        out.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An independent, strict reading of the payment wire form, written from its specification rather than from the
 * generator's code: what a pipeline's parser would accept.
 */
final class StrictPaymentJson {

    static final Set<String> KEYS = Set.of("payment_id", "card_id", "merchant_id", "amount", "currency", "country", "ts");
    private static final Pattern AMOUNT = Pattern.compile("-?\\d+\\.\\d{2}");
    private static final Pattern TS = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final JsonFactory FACTORY = new JsonFactory();

    private StrictPaymentJson() {}

    /** Why {@code value} is not a valid payment, or empty if it is one. */
    static Optional<String> problem(byte[] value) {
        try (JsonParser parser = FACTORY.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.of("not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken token = parser.nextToken();
                if (!KEYS.contains(key) || !seen.add(key)) {
                    return Optional.of("unexpected or repeated key " + key);
                }
                if (key.equals("amount")) {
                    if (token != JsonToken.VALUE_NUMBER_FLOAT || !AMOUNT.matcher(parser.getText()).matches()) {
                        return Optional.of("amount is " + token + " '" + parser.getText() + "'");
                    }
                } else if (token != JsonToken.VALUE_STRING) {
                    return Optional.of(key + " is " + token);
                } else if (key.equals("ts")) {
                    if (!TS.matcher(parser.getText()).matches()) {
                        return Optional.of("ts '" + parser.getText() + "' is not ISO-8601 UTC with millis");
                    }
                    Instant.parse(parser.getText());
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                return Optional.of("object not closed");
            }
            if (parser.nextToken() != null) {
                return Optional.of("content after the object");
            }
            if (!seen.equals(KEYS)) {
                return Optional.of("keys " + seen + " instead of " + KEYS);
            }
            return Optional.empty();
        } catch (IOException | DateTimeParseException e) {
            return Optional.of("unreadable: " + e.getMessage());
        }
    }
}

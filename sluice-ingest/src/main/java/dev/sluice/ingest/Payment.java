package dev.sluice.ingest;

import dev.sluice.ingest.internal.PaymentJsonWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One card payment as it travels through the demo pipeline: the {@link PaymentsGenerator} creates it, Kafka
 * carries it keyed by {@link #cardId()}, Flink SQL reads it back by its JSON column names.
 *
 * <p>The wire form is one UTF-8 JSON object per Kafka record value, with exactly these keys:
 * <pre>{@code
 * {"payment_id":"p-000000000123","card_id":"c-004211","merchant_id":"m-0042","amount":12.34,
 *  "currency":"EUR","country":"DE","ts":"2026-11-24T15:00:00.123Z"}
 * }</pre>
 * {@code amount} is a JSON number with exactly two decimals (also for JPY, to keep one column type), and
 * {@code ts} is ISO-8601 UTC with milliseconds. Because the wire form carries milliseconds, the event time is
 * kept to millisecond precision here too, so a payment survives a round trip through JSON unchanged.
 *
 * @param paymentId  unique id, {@code p-} followed by 12 digits when generated
 * @param cardId     the paying card, also the Kafka key so one card's payments stay in order on one partition
 * @param merchantId the merchant; generated ids outside the catalog ({@code m-9xxx}) are deliberate
 * @param amount     money in {@code currency}; rescaled to two decimals, more decimals are rejected
 * @param currency   ISO-4217 code
 * @param country    ISO-3166 alpha-2 code of the merchant
 * @param eventTime  when the payment happened, truncated to milliseconds
 */
public record Payment(
        String paymentId,
        String cardId,
        String merchantId,
        BigDecimal amount,
        String currency,
        String country,
        Instant eventTime) {

    public Payment {
        Objects.requireNonNull(paymentId, "paymentId");
        Objects.requireNonNull(cardId, "cardId");
        Objects.requireNonNull(merchantId, "merchantId");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(eventTime, "eventTime");
        try {
            amount = amount.setScale(2, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Payment " + paymentId + " has amount " + amount.toPlainString()
                    + " with more than two decimals; expected at most two (cents)", e);
        }
        eventTime = eventTime.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The JSON wire form described on this type, as a string. */
    public String toJson() {
        return new PaymentJsonWriter().toJson(this);
    }
}

package dev.sluice.ingest.internal;

import dev.sluice.ingest.Payment;

/**
 * Writes the JSON wire form of a {@link Payment} with the shared {@link JsonObjectWriter}. Not thread-safe; one
 * instance per producing thread.
 */
public final class PaymentJsonWriter {

    private final JsonObjectWriter json = new JsonObjectWriter();

    public byte[] toBytes(Payment payment) {
        return write(payment).bytes();
    }

    public String toJson(Payment payment) {
        return write(payment).text();
    }

    private JsonObjectWriter write(Payment payment) {
        return json.begin()
                .string("payment_id", payment.paymentId())
                .string("card_id", payment.cardId())
                .string("merchant_id", payment.merchantId())
                .numberText("amount", payment.amount().toPlainString())
                .string("currency", payment.currency())
                .string("country", payment.country())
                .timestamp("ts", payment.eventTime().toEpochMilli())
                .end();
    }
}

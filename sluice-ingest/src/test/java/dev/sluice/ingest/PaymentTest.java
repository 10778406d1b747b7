package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PaymentTest {

    @Test
    void writesTheDocumentedWireFormExactly() {
        Payment payment = new Payment("p-000000000123", "c-004211", "m-0042", new BigDecimal("12.34"), "EUR", "DE",
                Instant.parse("2026-11-24T15:00:00.123Z"));

        assertThat(payment.toJson()).isEqualTo("{\"payment_id\":\"p-000000000123\",\"card_id\":\"c-004211\","
                + "\"merchant_id\":\"m-0042\",\"amount\":12.34,\"currency\":\"EUR\",\"country\":\"DE\","
                + "\"ts\":\"2026-11-24T15:00:00.123Z\"}");
    }

    @Test
    void alwaysWritesTwoDecimalsAndThreeMillisecondDigits() {
        Payment payment = new Payment("p-1", "c-1", "m-1", new BigDecimal("5"), "JPY", "JP",
                Instant.parse("2026-01-02T03:04:05Z"));

        assertThat(payment.toJson()).contains("\"amount\":5.00,").contains("\"ts\":\"2026-01-02T03:04:05.000Z\"");
        assertThat(StrictPaymentJson.problem(payment.toJson().getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void rejectsAmountsWithMoreThanTwoDecimals() {
        assertThatThrownBy(() -> new Payment("p-7", "c-1", "m-1", new BigDecimal("1.005"), "EUR", "DE", Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("p-7")
                .hasMessageContaining("1.005");
    }

    @Test
    void keepsEventTimeToTheMillisecondAsOnTheWire() {
        Payment payment = new Payment("p-1", "c-1", "m-1", BigDecimal.ONE, "EUR", "DE",
                Instant.parse("2026-11-24T15:00:00.123456789Z"));

        assertThat(payment.eventTime()).isEqualTo(Instant.parse("2026-11-24T15:00:00.123Z"));
    }

    @Test
    void escapesCharactersThatJsonDoesNotAllowInStrings() throws Exception {
        Payment payment = new Payment("p-\"1\"", "c-\\1", "m-\n1", BigDecimal.TEN, "EUR", "DE", Instant.EPOCH);

        JsonNode node = new ObjectMapper().readTree(payment.toJson());

        assertThat(node.get("payment_id").asText()).isEqualTo("p-\"1\"");
        assertThat(node.get("card_id").asText()).isEqualTo("c-\\1");
        assertThat(node.get("merchant_id").asText()).isEqualTo("m-\n1");
    }
}

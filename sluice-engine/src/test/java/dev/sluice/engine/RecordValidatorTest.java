package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.SourceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordValidatorTest {
    private static final Location AT = new Location(Path.of("p.yaml"), 1, 1);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);

    private static SourceSpec payments() {
        return new SourceSpec("payments", "payments", 1, SourceSpec.Format.JSON, List.of(
                new ColumnSpec("payment_id", "STRING", AT),
                new ColumnSpec("merchant", "STRING", AT, true),
                new ColumnSpec("amount", "DECIMAL(12, 2)", AT),
                new ColumnSpec("ts", "TIMESTAMP(3)", AT)),
                new SourceSpec.EventTime("ts", Duration.ZERO), SourceSpec.ErrorPolicy.DEAD_LETTER, AT,
                new SourceSpec.EventId("payment_id", Duration.ofMinutes(10)));
    }

    private static String rejection(String json) {
        return RecordValidator.of(payments(), CLOCK).rejection(json.getBytes(StandardCharsets.UTF_8)).orElse("accepted");
    }

    @Test
    void acceptsARecordWithEveryRequiredFieldAndNullsInOptionalOnes() {
        assertThat(rejection("{\"payment_id\":\"p1\",\"merchant\":\"m\",\"amount\":null,\"ts\":\"2026-01-01T11:00:00Z\"}"))
                .isEqualTo("accepted");
    }

    @Test
    void rejectsAMissingOrNullRequiredFieldNamingIt() {
        assertThat(rejection("{\"payment_id\":\"p1\",\"amount\":1,\"ts\":\"2026-01-01T11:00:00Z\"}"))
                .isEqualTo("required field 'merchant' is missing; the schema declares it NOT NULL (or it is the event-id column)");
        assertThat(rejection("{\"payment_id\":\"p1\",\"merchant\":null,\"ts\":\"2026-01-01T11:00:00Z\"}"))
                .isEqualTo("required field 'merchant' is null; the schema declares it NOT NULL (or it is the event-id column)");
        assertThat(rejection("{\"merchant\":\"m\",\"ts\":\"2026-01-01T11:00:00Z\"}"))
                .isEqualTo("required field 'payment_id' is missing; the schema declares it NOT NULL (or it is the event-id column)");
    }

    @Test
    void appliesTheSameTypeAndEventTimeRulesAsTheJob() {
        assertThat(rejection("{\"payment_id\":\"p1\",\"merchant\":\"m\"}"))
                .isEqualTo("event-time field 'ts' is missing or null");
        assertThat(rejection("{\"payment_id\":\"p1\",\"merchant\":\"m\",\"amount\":\"x\",\"ts\":\"2026-01-01T11:00:00Z\"}"))
                .startsWith("field 'amount': ");
        assertThat(rejection("{\"payment_id\":\"p1\",\"merchant\":\"m\",\"ts\":\"2026-01-01T13:00:01Z\"}"))
                .contains("is more than 1h ahead of the wall clock (2026-01-01T12:00:00Z)");
        assertThat(rejection("[1]")).isEqualTo("expected a JSON object, got an array");
    }
}

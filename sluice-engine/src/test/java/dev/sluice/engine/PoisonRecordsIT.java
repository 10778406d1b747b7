package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.ViewSpec;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many malformed shapes through the real job on the embedded broker: truncated JSON, wrong types, NaN and
 * Infinity, huge strings and numbers, deep nesting, invalid UTF-8, duplicate keys, event times out of range,
 * empty and null records, null and huge keys, binary, records close to 1 MB, all mixed with good records.
 * The job runs without a restart strategy, so a single failure would end it: it must still be RUNNING at the
 * end. Every bad record must be in {@code sluice.poison.events.dlq} once, at its own partition and offset, with a reason that
 * names what was wrong; every good record must be in the result topic once, with exactly the expected values.
 */
class PoisonRecordsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Location AT = new Location(Path.of("poison.yaml"), 1, 1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int PARTITIONS = 2;
    /** Far below what a producer may send (1 MiB); a dead letter must never come close. */
    private static final int MAX_DEAD_LETTER_BYTES = 72 * 1024;

    @TempDir
    Path dir;

    /** One record to send: a good one has the row it must produce, a bad one a piece of its dead-letter reason. */
    private record Case(String name, byte[] key, byte[] value, JsonNode row, String reason) {}

    private final List<Case> cases = new ArrayList<>();
    /** Good records carry increasing event times, so none of them is late. */
    private Instant lastGoodTime = T0;
    private int fillers;

    static PipelineSpec spec(SourceSpec.ErrorPolicy onError) {
        SourceSpec source = new SourceSpec("events", "events", PARTITIONS, SourceSpec.Format.JSON, List.of(
                new ColumnSpec("id", "STRING", AT),
                new ColumnSpec("n", "INT", AT),
                new ColumnSpec("amount", "DECIMAL(10, 2)", AT),
                new ColumnSpec("score", "DOUBLE", AT),
                new ColumnSpec("ok", "BOOLEAN", AT),
                new ColumnSpec("note", "STRING", AT),
                new ColumnSpec("ts", "TIMESTAMP(3)", AT)),
                new SourceSpec.EventTime("ts", Duration.ZERO), onError, AT);
        ViewSpec view = new ViewSpec("passed", "SELECT id, n, amount, score, ok, note, ts FROM events", AT, AT, false);
        SinkSpec sink = new SinkSpec("passed", "passed", SinkSpec.Mode.APPEND, List.of(), AT);
        return new PipelineSpec("poison", "", Path.of("poison.yaml"), List.of(source), List.of(), List.of(view), List.of(sink), List.of());
    }

    @Test
    void poisonRecordsBecomeDeadLettersAndTheJobNeverRestarts() throws Exception {
        buildCases();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            // No restart strategy: one failure of any task ends the job as FAILED, so RUNNING at the end proves that
            // nothing failed (with the default strategy the job would restart and replay the poison forever).
            CompiledPipeline compiled = PipelineCompiler.compile(spec(SourceSpec.ErrorPolicy.DEAD_LETTER), config(kafka));
            admin.ensureTopics(compiled.topics());

            Map<String, Case> bad = new HashMap<>();
            Map<String, Case> good = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get(i);
                    RecordMetadata sent = producer.send(new ProducerRecord<>("events", i % PARTITIONS, c.key(), c.value())).get();
                    if (c.row() == null) {
                        bad.put(sent.partition() + "@" + sent.offset(), c);
                    } else {
                        assertThat(good.put(c.row().get("id").asText(), c)).as("ids of good records are unique").isNull();
                    }
                }
            }
            assertThat(bad.size() + good.size()).isEqualTo(cases.size());
            assertThat(bad.size()).isGreaterThan(90);
            assertThat(good.size()).isGreaterThan(40);

            Map<String, JsonNode> deadLetters = new HashMap<>();
            List<String> duplicateDeadLetters = new ArrayList<>();
            List<byte[]> oversizedDeadLetters = new ArrayList<>();
            Map<String, JsonNode> rows = new HashMap<>();
            List<String> duplicateRows = new ArrayList<>();
            List<String> late = new ArrayList<>();
            try (PipelineRunner runner = PipelineRunner.start(compiled);
                    KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.bootstrapServers())) {
                consumer.subscribe(List.of("sluice.poison.events.dlq", "sluice.poison.events.late", "sluice.poison.passed"));
                Runnable poll = () -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode value = read(r.value());
                        switch (r.topic()) {
                            case "sluice.poison.events.dlq" -> {
                                if (r.value().length > MAX_DEAD_LETTER_BYTES) {
                                    oversizedDeadLetters.add(r.value());
                                }
                                String at = value.get("kafka_partition").asInt() + "@" + value.get("kafka_offset").asLong();
                                if (deadLetters.put(at, value) != null) {
                                    duplicateDeadLetters.add(at);
                                }
                            }
                            case "sluice.poison.events.late" -> late.add(value.toString());
                            default -> {
                                if (rows.put(value.get("id").asText(), value) != null) {
                                    duplicateRows.add(value.get("id").asText());
                                }
                            }
                        }
                    }
                };
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (deadLetters.size() < bad.size() || rows.size() < good.size()) {
                    // failure(), not status(): once the job has failed, its MiniCluster is gone and status() throws.
                    assertThat(runner.failure()).as("the job's failure").isEmpty();
                    assertThat(System.nanoTime()).as(() -> "all records out before the deadline; dead letters "
                            + deadLetters.size() + " of " + bad.size() + ", rows " + rows.size() + " of " + good.size())
                            .isLessThan(deadline);
                    poll.run();
                }
                // Two more checkpoints' worth of output: anything extra (a replay, a stray row) shows up here.
                long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < until) {
                    poll.run();
                }
                assertThat(runner.status()).isEqualTo(JobStatus.RUNNING);
                assertThat(runner.failure()).isEmpty();
            }

            assertThat(deadLetters.keySet()).as(() -> "coordinates of the dead letters; missing: " + names(bad, deadLetters.keySet()))
                    .containsExactlyInAnyOrderElementsOf(bad.keySet());
            assertThat(duplicateDeadLetters).isEmpty();
            assertThat(oversizedDeadLetters).isEmpty();
            for (Map.Entry<String, Case> e : bad.entrySet()) {
                JsonNode deadLetter = deadLetters.get(e.getKey());
                assertThat(deadLetter.get("reason").asText()).as(e.getValue().name()).contains(e.getValue().reason());
                assertThat(deadLetter.get("source").asText()).isEqualTo("events");
            }
            assertThat(rows.keySet()).as("ids of the rows").containsExactlyInAnyOrderElementsOf(good.keySet());
            assertThat(duplicateRows).isEmpty();
            for (Map.Entry<String, Case> e : good.entrySet()) {
                assertThat(rows.get(e.getKey())).as(e.getValue().name()).isEqualTo(e.getValue().row());
            }
            assertThat(late).isEmpty();
        }
    }

    @Test
    void withOnErrorFailAPoisonRecordFailsTheJobWithItsReason() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            CompiledPipeline compiled = PipelineCompiler.compile(spec(SourceSpec.ErrorPolicy.FAIL), config(kafka));
            admin.ensureTopics(compiled.topics());
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                producer.send(new ProducerRecord<>("events", 0, null, bytes("{\"id\":\"a\",\"ts\":\"2026-01-01T00:00:00Z\"}"))).get();
                producer.send(new ProducerRecord<>("events", 0, null, bytes("{\"amount\":\"1e999999999\",\"ts\":\"2026-01-01T00:00:01Z\"}"))).get();
            }
            // Not closed: the failed job has taken its MiniCluster down with it, and close() would try to cancel it there.
            PipelineRunner runner = PipelineRunner.start(compiled);
            await().atMost(Duration.ofMinutes(2)).until(() -> runner.failure().isPresent());
            assertThat(runner.failure().get()).rootCause()
                    .hasMessageContaining("on-error: fail")
                    .hasMessageContaining("number \\\"1e999999999\\\" is out of range for DECIMAL(10, 2)");
        }
    }

    /** No restart strategy: one failure of any task ends the job, and {@link PipelineRunner#failure()} has it. */
    private EngineConfig config(EmbeddedKafka kafka) {
        return new EngineConfig(kafka.bootstrapServers(), new Properties(), dir.resolve("state"), PARTITIONS,
                Duration.ofMillis(500), Map.of("restart-strategy.type", "none"));
    }

    private void buildCases() {
        // The earliest accepted event time, first of the good records so that it is not late.
        good("earliest event time", null, "{\"id\":\"g-epoch\",\"n\":1,\"amount\":12.5,\"score\":0.25,\"ok\":true,"
                + "\"ts\":\"1970-01-01T00:00:00Z\"}", row("g-epoch", 1, "12.50", 0.25, true, null, Instant.EPOCH));

        String template = "{\"id\":\"t\",\"n\":1,\"amount\":\"2.50\",\"note\":\"\u00e9\",\"ts\":\"2026-01-01T00:00:00Z\"}";
        byte[] whole = bytes(template);
        for (int length = 1; length < whole.length; length += 3) {
            bad("truncated to " + length + " bytes", null, Arrays.copyOf(whole, length), "invalid JSON");
            goodFiller();
        }

        String ts = ",\"ts\":\"2026-01-01T00:00:00Z\"";
        bad("int as a word", "{\"n\":\"seven\"" + ts + "}", "field 'n': expected INT, got \"seven\"");
        bad("int as a boolean", "{\"n\":true" + ts + "}", "field 'n': expected INT, got \"true\"");
        bad("int as an array", "{\"n\":[1]" + ts + "}", "field 'n': expected INT, got an array");
        bad("int as an object", "{\"n\":{\"v\":1}" + ts + "}", "field 'n': expected INT, got an object");
        bad("int with a fraction", "{\"n\":7.5" + ts + "}", "field 'n': expected INT, got \"7.5\"");
        bad("int too big", "{\"n\":2147483648" + ts + "}", "field 'n': value 2147483648 is out of range for INT");
        bad("int beyond a long", "{\"n\":99999999999999999999" + ts + "}", "field 'n': expected INT, got \"99999999999999999999\"");
        bad("decimal with a comma", "{\"amount\":\"12,34\"" + ts + "}", "field 'amount': expected DECIMAL(10, 2), got \"12,34\"");
        bad("decimal too wide", "{\"amount\":123456789.5" + ts + "}", "field 'amount': value 123456789.5 does not fit DECIMAL(10, 2)");
        bad("boolean as a word", "{\"ok\":\"yes\"" + ts + "}", "field 'ok': expected BOOLEAN, got \"yes\"");
        bad("boolean as a number", "{\"ok\":1" + ts + "}", "field 'ok': expected BOOLEAN, got 1");
        bad("string as an object", "{\"id\":{}" + ts + "}", "field 'id': expected STRING, got an object");
        bad("time as a boolean", "{\"ts\":true}", "field 'ts': expected TIMESTAMP(3) as ISO-8601 text");
        bad("time in another layout", "{\"ts\":\"24/11/2026 15:00\"}", "field 'ts': expected TIMESTAMP(3) as ISO-8601 text");
        bad("time as an array", "{\"ts\":[2026,1,1]}", "field 'ts': expected TIMESTAMP(3), got an array");
        bad("time with a fraction of a millisecond", "{\"ts\":1767225600000.5}", "field 'ts': expected TIMESTAMP(3) as whole epoch milliseconds");
        goodFiller();

        bad("NaN as text", "{\"score\":\"NaN\"" + ts + "}", "field 'score': expected DOUBLE, got \"NaN\"");
        bad("Infinity as text", "{\"score\":\"Infinity\"" + ts + "}", "field 'score': expected DOUBLE, got \"Infinity\"");
        bad("-Infinity as text", "{\"score\":\"-Infinity\"" + ts + "}", "field 'score': expected DOUBLE, got \"-Infinity\"");
        bad("NaN as decimal text", "{\"amount\":\"NaN\"" + ts + "}", "field 'amount': expected DECIMAL(10, 2), got \"NaN\"");
        bad("NaN token", "{\"score\":NaN" + ts + "}", "invalid JSON: Non-standard token 'NaN'");
        bad("Infinity token", "{\"score\":Infinity" + ts + "}", "invalid JSON: Non-standard token 'Infinity'");
        bad("-Infinity token", "{\"score\":-Infinity" + ts + "}", "invalid JSON: Non-standard token '-Infinity'");
        bad("double overflow", "{\"score\":1e400" + ts + "}", "field 'score': number \"1e400\" is out of range for DOUBLE");
        bad("double overflow as text", "{\"score\":\"-1e400\"" + ts + "}", "field 'score': number \"-1e400\" is out of range for DOUBLE");
        goodFiller();

        bad("decimal exponent token", "{\"amount\":1e999999999" + ts + "}", "field 'amount': number \"1E+999999999\" is out of range for DECIMAL(10, 2)");
        bad("decimal exponent text", "{\"amount\":\"1e999999999\"" + ts + "}", "field 'amount': number \"1e999999999\" is out of range for DECIMAL(10, 2)");
        bad("decimal exponent text costing seconds", "{\"amount\":\"1e10000000\"" + ts + "}", "field 'amount': number \"1e10000000\" is out of range for DECIMAL(10, 2)");
        bad("exponent beyond an int", "{\"amount\":1e99999999999" + ts + "}", "field 'amount': number \"1e99999999999\" is out of range for DECIMAL(10, 2)");
        bad("int exponent token", "{\"n\":1e10000000" + ts + "}", "field 'n': number \"1E+10000000\" is out of range for INT");
        bad("number token of 1001 digits", "{\"amount\":" + "9".repeat(1001) + ts + "}", "invalid JSON: Number value length (1001) exceeds the maximum allowed (1000)");
        bad("number text of 2000 digits", "{\"amount\":\"" + "9".repeat(2000) + "\"" + ts + "}", "field 'amount': expected DECIMAL(10, 2), got a number of 2000 characters (at most 1000)");
        bad("number text of 500000 digits", "{\"n\":\"" + "1".repeat(500_000) + "\"" + ts + "}", "field 'n': expected INT, got a number of 500000 characters (at most 1000)");
        bad("time text of 900000 characters", "{\"ts\":\"" + "x".repeat(900_000) + "\"}", "field 'ts': expected TIMESTAMP(3) as ISO-8601 text");
        goodFiller();

        bad("nesting 100000 deep outside the schema", "{\"x\":" + "[".repeat(100_000) + ts + "}", "invalid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)");
        bad("nesting 2000 deep in a column", "{\"n\":" + "{\"a\":".repeat(2000) + ts + "}", "invalid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000)");
        goodFiller();

        bad("byte FF", null, bytes("{\"note\":\"", 0xff, "\"" + ts + "}"), "invalid UTF-8 at byte 10");
        bad("overlong slash", null, bytes("{\"note\":\"", 0xc0, 0xaf, "\"" + ts + "}"), "invalid UTF-8 at byte 10");
        bad("encoded surrogate", null, bytes("{\"note\":\"", 0xed, 0xa0, 0x80, "\"" + ts + "}"), "invalid UTF-8 at byte 10");
        bad("above U+10FFFF", null, bytes("{\"note\":\"", 0xf4, 0x90, 0x80, 0x80, "\"" + ts + "}"), "invalid UTF-8 at byte 10");
        bad("cut-off character at the end", null, bytes("{\"ts\":\"2026-01-01T00:00:00Z\",\"x\":\"", 0xe2, 0x82), "invalid UTF-8 at byte 35");
        bad("invalid field name outside the schema", null, bytes("{\"", 0xfe, "\":1" + ts + "}"), "invalid UTF-8 at byte 3");
        bad("unpaired surrogate escape", "{\"note\":\"a\\ud800b\"" + ts + "}", "field 'note': expected STRING, got text with an unpaired surrogate \\uD800 at character 2");
        goodFiller();

        bad("repeated column", "{\"id\":\"a\",\"id\":\"b\"" + ts + "}", "field 'id' appears more than once");
        bad("repeated column after a null", "{\"note\":null,\"note\":\"b\"" + ts + "}", "field 'note' appears more than once");
        bad("repeated event time", "{\"ts\":\"2026-01-01T00:00:00Z\"" + ts + "}", "field 'ts' appears more than once");
        goodFiller();

        bad("largest year", "{\"ts\":\"+999999999-12-31T23:59:59\"}", "field 'ts': value \"+999999999-12-31T23:59:59\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        bad("largest year west of UTC", "{\"ts\":\"+999999999-12-31T23:59:59-18:00\"}", "is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        bad("smallest year", "{\"ts\":\"-999999999-01-01T00:00:00\"}", "is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        bad("largest epoch milliseconds", "{\"ts\":9223372036854775807}", "field 'ts': value 9223372036854775807 is out of range for TIMESTAMP(3)");
        bad("year 3000", "{\"ts\":\"3000-01-01T00:00:00Z\"}", "field 'ts': event time 3000-01-01T00:00:00Z is more than 1h ahead of the wall clock");
        // A broker refuses record timestamps more than an hour ahead (Kafka 4 default), and result records carry the
        // event time: accepted, this one would fail the result sink.
        bad("two hours ahead", "{\"ts\":\"" + Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS) + "\"}", "is more than 1h ahead of the wall clock");
        bad("before 1970", "{\"ts\":\"1969-12-31T23:59:59.999Z\"}", "field 'ts': event time 1969-12-31T23:59:59.999Z is before the earliest accepted event time 1970-01-01T00:00:00Z");
        bad("negative epoch milliseconds", "{\"ts\":-1}", "is before the earliest accepted event time 1970-01-01T00:00:00Z");
        bad("missing event time", "{\"id\":\"x\"}", "event-time field 'ts' is missing or null");
        bad("null event time", "{\"ts\":null}", "event-time field 'ts' is missing or null");
        goodFiller();

        bad("empty", null, new byte[0], "expected a JSON object, got nothing");
        bad("blank", "  \n ", "expected a JSON object, got nothing");
        bad("empty object", "{}", "event-time field 'ts' is missing or null");
        bad("JSON null", "null", "expected a JSON object, got null");
        bad("JSON array", "[{\"ts\":1}]", "expected a JSON object, got an array");
        bad("JSON string", "\"{}\"", "expected a JSON object, got a string");
        bad("JSON number", "42", "expected a JSON object, got a number");
        bad("null value with a key", bytes("k"), null, "record has no value (null)");
        bad("null value and key", null, null, "record has no value (null)");
        bad("two objects", "{\"ts\":1} {\"ts\":2}", "unexpected data after the JSON object");
        bad("trailing garbage", "{\"ts\":1} x", "invalid JSON");
        goodFiller();

        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        bad("every byte value", null, all, "invalid UTF-8 at byte 129");
        bad("gzip header", null, new byte[] {0x1f, (byte) 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3}, "invalid UTF-8 at byte 2");
        bad("NUL bytes", null, new byte[1000], "invalid JSON");
        goodFiller();

        // Close to 1 MB: the dead letters of these must stay small, whatever escaping makes of them.
        bad("700 KB of NUL bytes", null, new byte[700 * 1024], "invalid JSON");
        byte[] nulString = new byte[1_000_000];
        byte[] head = bytes("{\"note\":\"");
        System.arraycopy(head, 0, nulString, 0, head.length);
        nulString[nulString.length - 2] = '"';
        nulString[nulString.length - 1] = '}';
        bad("1 MB string of raw NUL bytes", null, nulString, "invalid JSON");
        bad("1 MB record with a bad column at the end", "{\"x\":\"" + "\\\\".repeat(495_000) + "\",\"n\":\"x\"" + ts + "}", "field 'n': expected INT, got \"x\"");
        bad("900 KB key of quotes and a bad value", bytes("\"".repeat(900_000)), bytes("not json"), "invalid JSON");
        goodFiller();

        // Good records of unusual but valid shapes.
        Instant t = nextGoodTime();
        good("numbers as text", bytes("k"), "{\"id\":\"g-text\",\"n\":\" 7 \",\"amount\":\"12.5\",\"score\":\"1e3\",\"ok\":\"FALSE\","
                + "\"ts\":\"" + t + "\"}", row("g-text", 7, "12.50", 1000.0, false, null, t));
        t = nextGoodTime();
        good("exponents and epoch milliseconds", null, "{\"id\":\"g-exp\",\"n\":-2147483648,\"amount\":1.5e2,\"score\":-2.5E-3,"
                + "\"ts\":" + t.toEpochMilli() + "}", row("g-exp", Integer.MIN_VALUE, "150.00", -0.0025, null, null, t));
        t = nextGoodTime();
        good("rounding half up and an offset", null, "{\"id\":\"g-round\",\"amount\":\"0.005\",\"ts\":\""
                + t.atOffset(ZoneOffset.ofHours(2)) + "\"}", row("g-round", null, "0.01", null, null, null, t));
        t = nextGoodTime();
        good("unicode and escapes", null, "{\"id\":\"g-text2\",\"note\":\"\u00e9\u20ac\uD83D\uDE00 \\t\\\"q\\\" \\ud83d\\ude00 \\u0000\","
                + "\"ts\":\"" + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(LocalDateTime.ofInstant(t, ZoneOffset.UTC)) + "\"}",
                row("g-text2", null, null, null, null, "\u00e9\u20ac\uD83D\uDE00 \t\"q\" \uD83D\uDE00 \u0000", t));
        t = nextGoodTime();
        good("explicit nulls and whitespace", null, "  {\"id\" : \"g-null\", \"n\": null, \"amount\": null, \"score\": null, "
                + "\"ok\": null, \"note\": null, \"ts\": \"" + t + "\" }\n", row("g-null", null, null, null, null, null, t));
        t = nextGoodTime();
        good("nesting 900 deep and repeated fields outside the schema", null, "{\"x\":" + "[".repeat(900) + "]".repeat(900)
                + ",\"y\":1,\"y\":{\"z\":[1,{\"y\":2}]},\"id\":\"g-nest\",\"ts\":\"" + t + "\"}", row("g-nest", null, null, null, null, null, t));
        t = nextGoodTime();
        good("a number for a string column", null, "{\"id\":42,\"ts\":\"" + t + "\"}", row("42", null, null, null, null, null, t));
        t = nextGoodTime();
        good("a binary key", new byte[] {(byte) 0xff, 0, 1}, "{\"id\":\"g-key\",\"ts\":\"" + t + "\"}",
                row("g-key", null, null, null, null, null, t));
        t = nextGoodTime();
        good("close to 1 MB", null, "{\"id\":\"g-big\",\"x\":\"" + "a".repeat(950_000) + "\",\"ts\":\"" + t + "\"}",
                row("g-big", null, null, null, null, null, t));
        goodFiller();

        // Last: the latest accepted kind of event time, which moves the watermark past everything above.
        Instant soon = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
        good("half an hour ahead of the wall clock", null, "{\"id\":\"g-soon\",\"ts\":\"" + soon + "\"}",
                row("g-soon", null, null, null, null, null, soon));
    }

    private static List<String> names(Map<String, Case> cases, java.util.Set<String> found) {
        List<String> missing = new ArrayList<>();
        cases.forEach((at, c) -> {
            if (!found.contains(at)) {
                missing.add(at + " " + c.name());
            }
        });
        return missing;
    }

    private Instant nextGoodTime() {
        lastGoodTime = lastGoodTime.plusSeconds(1);
        return lastGoodTime;
    }

    /** A plain good record, sent between the bad ones. */
    private void goodFiller() {
        int i = ++fillers;
        Instant t = nextGoodTime();
        String id = "f" + i;
        good("filler " + i, i % 3 == 0 ? null : bytes(id), "{\"id\":\"" + id + "\",\"n\":" + i + ",\"amount\":" + i + ".25,\"score\":"
                + i + ".5,\"ok\":" + (i % 2 == 0) + ",\"note\":\"n" + i + "\",\"ts\":\"" + t + "\"}",
                row(id, i, i + ".25", i + 0.5, i % 2 == 0, "n" + i, t));
    }

    private void good(String name, byte[] key, String json, JsonNode row) {
        cases.add(new Case(name, key, bytes(json), row, null));
    }

    private void bad(String name, String json, String reason) {
        bad(name, null, bytes(json), reason);
    }

    private void bad(String name, byte[] key, byte[] value, String reason) {
        cases.add(new Case(name, key, value, null, reason));
    }

    /** The result row as the sink writes it: DECIMAL as a number, TIMESTAMP as ISO local text (UTC). */
    private static JsonNode row(String id, Integer n, String amount, Double score, Boolean ok, String note, Instant ts) {
        ObjectNode row = JSON.createObjectNode();
        row.put("id", id);
        row.put("n", n);
        row.put("amount", amount == null ? null : new BigDecimal(amount));
        row.put("score", score);
        row.put("ok", ok);
        row.put("note", note);
        row.put("ts", DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofInstant(ts, ZoneOffset.UTC)));
        return read(row.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + new String(json, 0, Math.min(json.length, 200), StandardCharsets.UTF_8), e);
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("group.id", "poison-test");
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("isolation.level", "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}

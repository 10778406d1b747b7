package dev.sluice.server.usecases;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One input record of a use case as the test sends it: its topic, key, partition and event time, and its fields in
 * schema order ({@code ts} is added last, as the generators write it).
 */
record Event(String topic, String key, int partition, long ts, Map<String, Object> fields) {
    static final int PARTITIONS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** An event on the partition of its key (the same key always lands on the same partition, in order). */
    static Event of(String topic, String key, long ts, Map<String, Object> fields) {
        return new Event(topic, key, Math.floorMod(key.hashCode(), PARTITIONS), ts, fields);
    }

    /** The same event on a chosen partition (heartbeats that move every partition's watermark). */
    Event onPartition(int p) {
        return new Event(topic, key, p, ts, fields);
    }

    Object get(String field) {
        return fields.get(field);
    }

    String str(String field) {
        return (String) fields.get(field);
    }

    String json() {
        Map<String, Object> all = new LinkedHashMap<>(fields);
        all.put("ts", TS.format(Instant.ofEpochMilli(ts)));
        try {
            return JSON.writeValueAsString(all);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write event " + fields + " as JSON", e);
        }
    }

    /** Field names and values alternating, in order. */
    static Map<String, Object> fields(Object... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}

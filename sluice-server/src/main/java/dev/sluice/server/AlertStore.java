package dev.sluice.server;

import dev.sluice.alerts.AlertNotification;
import dev.sluice.alerts.DeliveryOutcome;
import dev.sluice.alerts.NotificationJson;
import dev.sluice.storage.ResultStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The notifier's tables in the pipeline's schema of the shared store (DuckDB or PostgreSQL; the SQL is portable):
 * <ul>
 *   <li>{@code alert_events}: every notification once, by id (the dashboard delivery, read by dashboards and the alerts
 *       page); a row here means the notification was fully handled, so a restart skips it;</li>
 *   <li>{@code alert_deliveries}: per notification and notifier whether it was sent, given up (with the error) or
 *       silenced; each outcome is written as soon as it is known, the last one together with the event row, so a
 *       restart never sends to the same notifier twice;</li>
 *   <li>{@code alert_silences}: the silences set through the API.</li>
 * </ul>
 */
final class AlertStore {
    static final String EVENTS = "alert_events";
    static final String DELIVERIES = "alert_deliveries";
    static final String SILENCES = "alert_silences";

    private final ResultStore store;
    private final String schema;

    AlertStore(ResultStore store, String schema) {
        this.store = store;
        this.schema = schema;
    }

    void ensureTables() {
        store.inTransaction("create the alert tables of pipeline '" + schema + "'", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
                s.execute("CREATE TABLE IF NOT EXISTS " + table(EVENTS) + " (alert_id VARCHAR PRIMARY KEY, alert VARCHAR,"
                        + " alert_key VARCHAR, severity VARCHAR, state VARCHAR, message VARCHAR, event_time TIMESTAMP,"
                        + " fired_at TIMESTAMP, payload VARCHAR)");
                s.execute("CREATE TABLE IF NOT EXISTS " + table(DELIVERIES) + " (alert_id VARCHAR, notifier VARCHAR,"
                        + " status VARCHAR, attempts INTEGER, detail VARCHAR, finished_at TIMESTAMP, PRIMARY KEY (alert_id, notifier))");
                s.execute("CREATE TABLE IF NOT EXISTS " + table(SILENCES) + " (id VARCHAR PRIMARY KEY, alert VARCHAR,"
                        + " key_pattern VARCHAR, until TIMESTAMP, created_at TIMESTAMP)");
            }
            return null;
        });
    }

    private String table(String name) {
        return "\"" + schema + "\"." + name;
    }

    void recordDelivery(String alertId, DeliveryOutcome outcome, Instant at) {
        store.inTransaction("record a delivery of alert event " + alertId, c -> {
            insertDelivery(c, alertId, outcome, at);
            return null;
        });
    }

    private void insertDelivery(Connection c, String alertId, DeliveryOutcome outcome, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table(DELIVERIES)
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, alertId);
            ps.setString(2, outcome.notifier());
            ps.setString(3, outcome.status());
            ps.setInt(4, outcome.attempts());
            ps.setString(5, outcome.detail());
            ps.setObject(6, utc(at.toEpochMilli()));
            ps.executeUpdate();
        }
    }

    /** The event and the outcome of its last delivery, in one transaction: the usual case costs one commit. */
    void recordEvent(AlertNotification n, Optional<DeliveryOutcome> lastOutcome, Instant at) {
        store.inTransaction("record alert event " + n.id(), c -> {
            if (lastOutcome.isPresent()) {
                insertDelivery(c, n.id(), lastOutcome.get(), at);
            }
            insertEvent(c, n);
            return null;
        });
    }

    /** A notification and the outcome for each of its notifiers. */
    record Outcomes(AlertNotification notification, List<DeliveryOutcome> outcomes) {}

    /**
     * Several events with all their outcomes in one transaction: for notifications no notifier was sent (silenced, or
     * the notifier is not configured), where a commit per notification would cost more than the notification.
     */
    void recordEvents(List<Outcomes> events, Instant at) {
        store.inTransaction("record " + events.size() + " alert events", c -> {
            for (Outcomes e : events) {
                for (DeliveryOutcome outcome : e.outcomes()) {
                    insertDelivery(c, e.notification().id(), outcome, at);
                }
                insertEvent(c, e.notification());
            }
            return null;
        });
    }

    /** The ids of the events fired since {@code since} (by the job's clock): what a replay after a restart can repeat. */
    Set<String> recordedSince(Instant since) {
        return store.inTransaction("read recent alert ids", c -> {
            Set<String> ids = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT alert_id FROM " + table(EVENTS) + " WHERE fired_at >= ?")) {
                ps.setObject(1, utc(since.toEpochMilli()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Deliveries of notifications that have no event row: a previous run stopped between two notifiers. */
    Set<String> unfinishedDeliveries() {
        return store.inTransaction("read unfinished deliveries", c -> {
            Set<String> keys = new HashSet<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT d.alert_id, d.notifier FROM " + table(DELIVERIES) + " d WHERE NOT EXISTS "
                         + "(SELECT 1 FROM " + table(EVENTS) + " e WHERE e.alert_id = d.alert_id)")) {
                while (rs.next()) {
                    keys.add(rs.getString(1) + "/" + rs.getString(2));
                }
            }
            return keys;
        });
    }

    private void insertEvent(Connection c, AlertNotification n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table(EVENTS)
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, n.id());
            ps.setString(2, n.alert());
            ps.setString(3, n.keyText());
            ps.setString(4, n.severity());
            ps.setString(5, n.state());
            ps.setString(6, n.message());
            ps.setObject(7, utc(n.eventTime()));
            ps.setObject(8, utc(n.firedAt()));
            ps.setString(9, NotificationJson.toText(n));
            ps.executeUpdate();
        }
    }

    private static LocalDateTime utc(long epochMillis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    void addSilence(AlertSilence silence) {
        store.inTransaction("add a silence", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table(SILENCES) + " VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, silence.id());
                ps.setString(2, silence.alert());
                ps.setString(3, silence.keyPattern());
                ps.setObject(4, utc(silence.until().toEpochMilli()));
                ps.setObject(5, utc(silence.createdAt().toEpochMilli()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    boolean removeSilence(String id) {
        return store.inTransaction("remove silence " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table(SILENCES) + " WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    List<AlertSilence> silences() {
        return store.inTransaction("list silences", c -> {
            List<AlertSilence> silences = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, alert, key_pattern, until, created_at FROM " + table(SILENCES)
                         + " ORDER BY created_at, id")) {
                while (rs.next()) {
                    silences.add(new AlertSilence(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), instant(rs, 5)));
                }
            }
            return silences;
        });
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    /** The latest event per (alert, key), newest first: state firing means firing now. */
    List<Map<String, Object>> latestPerKey(int limit) {
        return rows("SELECT alert_id, alert, alert_key, severity, state, message, event_time, fired_at FROM ("
                + "SELECT *, row_number() OVER (PARTITION BY alert, alert_key ORDER BY event_time DESC, state DESC) AS rn FROM "
                + table(EVENTS) + ") AS latest WHERE rn = 1 ORDER BY event_time DESC LIMIT " + limit);
    }

    /** The newest events with how each notifier fared. */
    List<Map<String, Object>> history(int limit) {
        return rows("SELECT e.alert_id, e.alert, e.alert_key, e.severity, e.state, e.message, e.event_time, e.fired_at,"
                + " (SELECT array_agg(d.notifier || ': ' || d.status || CASE WHEN d.detail = '' THEN '' ELSE ' (' || d.detail || ')' END"
                + " ORDER BY d.notifier) FROM " + table(DELIVERIES) + " d WHERE d.alert_id = e.alert_id) AS deliveries"
                + " FROM " + table(EVENTS) + " e ORDER BY e.event_time DESC, e.fired_at DESC LIMIT " + limit);
    }

    private List<Map<String, Object>> rows(String sql) {
        return store.inTransaction("read the alert tables of pipeline '" + schema + "'", c -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= n; i++) {
                        Object value = rs.getObject(i);
                        if (value instanceof Timestamp t) {
                            value = t.toLocalDateTime().toInstant(ZoneOffset.UTC).toString();
                        } else if (value instanceof LocalDateTime t) {
                            value = t.toInstant(ZoneOffset.UTC).toString();
                        } else if (value instanceof java.sql.Array a) {
                            value = List.of((Object[]) a.getArray());
                        } else if (value == null && rs.getMetaData().getColumnLabel(i).equals("deliveries")) {
                            value = List.of();
                        }
                        row.put(rs.getMetaData().getColumnLabel(i), value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        });
    }
}

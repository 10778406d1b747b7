package dev.sluice.alerts;

import dev.sluice.spec.AlertSpec;
import java.time.Duration;
import java.util.List;

/**
 * What the state machine needs to know about one alert, taken from its {@link AlertSpec}.
 *
 * @param forDuration  event time the condition must keep holding before the alert fires (zero: on the first row)
 * @param cooldown     event time after a resolution during which the same key does not fire again
 * @param resolveAfter event time without a row after which a firing alert resolves
 */
public record AlertRule(String pipeline, String alert, List<String> keyColumns, String severity, MessageTemplate message,
        Duration forDuration, Duration cooldown, Duration resolveAfter, List<String> notifiers) implements java.io.Serializable {

    public AlertRule {
        keyColumns = List.copyOf(keyColumns);
        notifiers = List.copyOf(notifiers);
        if (resolveAfter.isZero() || resolveAfter.isNegative()) {
            throw new IllegalArgumentException("resolve-after of alert '" + alert + "' is " + resolveAfter
                    + "; expected a positive duration");
        }
    }

    public static AlertRule of(String pipeline, AlertSpec spec) {
        return new AlertRule(pipeline, spec.name(), spec.key(), spec.severity().text(), MessageTemplate.parse(spec.message()),
                spec.forDuration(), spec.cooldown(), spec.resolveAfter(), spec.notifiers());
    }
}

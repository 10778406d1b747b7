package dev.sluice.alerts;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a notification through a notifier, retrying retryable failures with the {@link RetryPolicy}'s backoff, and
 * reports the outcome instead of throwing: a give-up is data for the caller to record, never silent.
 */
public final class RetryingDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingDelivery.class);

    /** Waits between attempts; tests may pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final RetryPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;

    public RetryingDelivery(RetryPolicy policy, Clock clock, Sleeper sleeper) {
        this.policy = policy;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public static RetryingDelivery of(RetryPolicy policy) {
        return new RetryingDelivery(policy, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
    }

    public DeliveryOutcome deliver(AlertNotifier notifier, AlertNotification notification) {
        long start = clock.millis();
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                notifier.send(notification);
                return new DeliveryOutcome(notifier.name(), DeliveryOutcome.SENT, attempt, "");
            } catch (DeliveryException e) {
                Duration wait = policy.backoff(attempt);
                boolean budgetLeft = clock.millis() + wait.toMillis() - start <= policy.budget().toMillis();
                if (!e.retryable() || attempt >= policy.maxAttempts() || !budgetLeft) {
                    LOG.warn("Gave up delivering notification {} ({} {} of alert '{}') to notifier '{}' after {} attempt(s): {}",
                            notification.id(), notification.state(), notification.keyText(), notification.alert(),
                            notifier.name(), attempt, e.getMessage());
                    return new DeliveryOutcome(notifier.name(), DeliveryOutcome.GAVE_UP, attempt, e.getMessage());
                }
                LOG.info("Delivering notification {} to notifier '{}' failed (attempt {}), retrying in {} ms: {}",
                        notification.id(), notifier.name(), attempt, wait.toMillis(), e.getMessage());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return new DeliveryOutcome(notifier.name(), DeliveryOutcome.GAVE_UP, attempt,
                            "interrupted while waiting to retry: " + e.getMessage());
                }
            }
        }
    }
}

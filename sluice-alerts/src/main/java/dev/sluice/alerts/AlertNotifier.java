package dev.sluice.alerts;

/**
 * Delivers one notification to one destination, once; retries are {@link RetryingDelivery}'s job. Implementations
 * throw {@link DeliveryException} and say whether trying again may help.
 */
public interface AlertNotifier {
    /** The notifier name from the pipeline file. */
    String name();

    void send(AlertNotification notification);
}

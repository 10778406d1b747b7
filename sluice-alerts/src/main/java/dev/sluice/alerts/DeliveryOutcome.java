package dev.sluice.alerts;

/**
 * What became of one notification at one notifier.
 *
 * @param status   {@code sent}, {@code gave-up} (failed after retries or with a non-retryable error) or {@code silenced}
 * @param attempts how many times it was tried
 * @param detail   the last error for {@code gave-up}, empty otherwise
 */
public record DeliveryOutcome(String notifier, String status, int attempts, String detail) {
    public static final String SENT = "sent";
    public static final String GAVE_UP = "gave-up";
    public static final String SILENCED = "silenced";
}

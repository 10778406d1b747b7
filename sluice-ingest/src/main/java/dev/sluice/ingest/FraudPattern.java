package dev.sluice.ingest;

import java.time.Instant;

/**
 * One fraud pattern the {@link PaymentsGenerator} injected: the ground truth a demo or test compares its alerts
 * with.
 *
 * @param kind   {@code card_testing} (small payments, then a large one), {@code velocity} (many ordinary payments
 *               in minutes) or {@code impossible_travel} (two countries within minutes)
 * @param cardId the card the pattern's payments are made with
 * @param start  the clock time of the pattern's first payment
 */
public record FraudPattern(String kind, String cardId, Instant start) {}

package dev.sluice.ingest.internal;

/**
 * A merchant of the payments demo catalog, one row of merchants.csv.
 *
 * @param id       {@code m-0001} .. {@code m-0200}
 * @param name     display name
 * @param category what it sells, which drives payment amounts
 * @param country  where it is, which drives currency
 */
public record Merchant(String id, String name, Category category, Country country) {}

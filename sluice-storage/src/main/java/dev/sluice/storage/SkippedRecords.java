package dev.sluice.storage;

/**
 * Records of a result topic that a {@link ResultLoader} did not store because another deployment of the pipeline
 * wrote them (see {@link Deployment}).
 *
 * @param deployment the id in the records' {@value Deployment#HEADER} header, or {@link #UNMARKED} when they have none
 * @param count      records skipped since the loader started
 */
public record SkippedRecords(String topic, String deployment, long count) {
    /** Stands for the deployment of records without a deployment header (written before Sluice marked them). */
    public static final String UNMARKED = "(none)";
}

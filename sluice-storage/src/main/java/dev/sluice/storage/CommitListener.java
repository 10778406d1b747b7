package dev.sluice.storage;

import java.util.Set;

/**
 * Hears of every batch a {@link ResultLoader} commits to storage, with the tables it changed, so that whatever shows
 * those tables (live dashboards) can read them again once per commit instead of polling.
 *
 * <p>Called on the loader thread right after the database commit: it must return at once (hand the work to another
 * thread) and must not block. An exception it throws is logged and does not stop the loader.
 */
@FunctionalInterface
public interface CommitListener {
    /**
     * @param tables the tables the committed batch wrote rows or tombstones to, as {@code schema.table}
     *               ({@link TableDefinition#qualifiedName()}); never empty
     */
    void committed(Set<String> tables);
}

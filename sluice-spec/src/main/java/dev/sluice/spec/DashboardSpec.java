package dev.sluice.spec;

import java.util.List;

/**
 * A live dashboard of a pipeline: a titled grid of {@link PanelSpec panels}, each a read-only SQL query over the
 * pipeline's storage tables and a visual. The server evaluates a panel again whenever the loader commits rows to a
 * table the panel reads, and pushes the result to every open page of the dashboard.
 *
 * @param name  the dashboard's name in URLs ({@code /dashboard.html?pipeline=P&dashboard=NAME}): lower-case letters,
 *              digits, {@code -} and {@code _}
 * @param title what the page shows as its heading
 */
public record DashboardSpec(String name, String title, List<PanelSpec> panels, Location location) {
    public DashboardSpec {
        panels = List.copyOf(panels);
    }
}

package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/pipeline-spec.md must stay valid pipelines. */
class DocumentationExampleTest {

    private static final Path REFERENCE_DOC = Path.of("..", "docs", "pipeline-spec.md");

    @TempDir
    Path dir;

    @Test
    void theReferenceDocumentsFirstExampleParses() throws IOException {
        String doc = Files.readString(REFERENCE_DOC);
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        Files.writeString(dir.resolve("merchants.csv"), "merchant_id,category\nm-1,grocery\n");
        Path file = Files.writeString(dir.resolve("pipeline.yaml"), yaml);

        PipelineSpec spec = new SpecParser().parse(file);

        assertThat(spec.name()).isEqualTo("payments");
        assertThat(spec.views()).extracting(ViewSpec::name).containsExactly("enriched_payments", "category_revenue");
        assertThat(spec.sinks()).extracting(SinkSpec::mode).containsExactly(SinkSpec.Mode.UPSERT);
        assertThat(spec.dashboards()).extracting(DashboardSpec::name).containsExactly("revenue");
        assertThat(spec.dashboards().get(0).panels().get(0).options().series()).isEqualTo("category");
    }

    @Test
    void theDashboardsSectionsExampleParses() throws IOException {
        String doc = Files.readString(REFERENCE_DOC);
        int start = doc.indexOf("```yaml\n") + "```yaml\n".length();
        String first = doc.substring(start, doc.indexOf("```", start));
        int section = doc.indexOf("## Dashboards");
        int example = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String dashboards = doc.substring(example, doc.indexOf("```", example));
        Files.writeString(dir.resolve("merchants.csv"), "merchant_id,category\nm-1,grocery\n");
        Path file = Files.writeString(dir.resolve("pipeline.yaml"), first.substring(0, first.indexOf("dashboards:")) + dashboards);

        PipelineSpec spec = new SpecParser().parse(file);

        assertThat(spec.dashboards().get(0).panels()).extracting(PanelSpec::visual).containsExactly(
                PanelSpec.Visual.STAT, PanelSpec.Visual.TIMESERIES, PanelSpec.Visual.TOP, PanelSpec.Visual.MAP);
    }
}

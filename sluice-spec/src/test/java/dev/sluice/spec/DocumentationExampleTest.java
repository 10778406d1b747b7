package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first example of docs/pipeline-spec.md must stay a valid pipeline. */
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
    }
}

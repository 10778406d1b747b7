package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Flink reports SQL errors as "line L, column C" of the view's SQL text; {@link ViewSpec#locate} must turn that
 * into the position in the pipeline file. Each case checks the expected position and that the character there in
 * the file is the character at that position in the SQL.
 */
class ViewSpecTest {

    private static final Path FILE = Path.of("pipelines", "clicks.yaml");

    private static final String YAML = """
            name: p
            sources: [{name: clicks, schema: {ts: TIMESTAMP(3)}, event-time: {column: ts}}]
            views:
              - name: block
                sql: |
                  SELECT page,
                    COUNT(*) AS n
                  FROM clicks
                  GROUP BY page
              - name: plain
                sql: SELECT page FROM clicks
              - name: quoted
                sql: "SELECT page FROM clicks"
              - name: stripped
                sql: |-  # a comment after the indicator

                  SELECT 1
              - name: indented
                sql: |2
                    SELECT 2
              - name: folded
                sql: &folded >
                  SELECT 3
                  FROM clicks
            """;

    private final PipelineSpec spec = new SpecParser().parse(YAML, FILE);

    @Test
    void mapsTheFirstLineOfALiteralBlockToTheLineAfterTheIndicator() {
        ViewSpec view = view("block");

        assertThat(view.block()).isTrue();
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 6, 7));
        assertThat(view.locate(1, 8)).isEqualTo(new Location(FILE, 6, 14));
        assertSameCharacter(view, 1, 8, 'p');
    }

    @Test
    void mapsTheThirdLineOfALiteralBlockAtTheBlockIndentation() {
        ViewSpec view = view("block");

        assertThat(view.locate(3, 6)).isEqualTo(new Location(FILE, 8, 12));
        assertSameCharacter(view, 3, 6, 'c');
        assertThat(view.locate(2, 3)).isEqualTo(new Location(FILE, 7, 9));
        assertSameCharacter(view, 2, 3, 'C');
    }

    @Test
    void mapsASingleLinePlainScalarFromTheValuesColumn() {
        ViewSpec view = view("plain");

        assertThat(view.block()).isFalse();
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 11, 10));
        assertThat(view.locate(1, 8)).isEqualTo(new Location(FILE, 11, 17));
        assertSameCharacter(view, 1, 8, 'p');
    }

    @Test
    void mapsAQuotedScalarFromTheColumnAfterTheQuote() {
        ViewSpec view = view("quoted");

        assertThat(view.block()).isFalse();
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 13, 11));
        assertThat(view.locate(1, 8)).isEqualTo(new Location(FILE, 13, 18));
        assertSameCharacter(view, 1, 8, 'p');
    }

    @Test
    void countsLeadingEmptyLinesOfABlockAsSqlLines() {
        ViewSpec view = view("stripped");

        assertThat(view.sql()).isEqualTo("\nSELECT 1");
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 16, 7));
        assertThat(view.locate(2, 8)).isEqualTo(new Location(FILE, 17, 14));
        assertSameCharacter(view, 2, 8, '1');
    }

    @Test
    void usesAnExplicitIndentationIndicator() {
        ViewSpec view = view("indented");

        assertThat(view.sql()).isEqualTo("  SELECT 2\n");
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 20, 7));
        assertThat(view.locate(1, 3)).isEqualTo(new Location(FILE, 20, 9));
        assertSameCharacter(view, 1, 3, 'S');
    }

    @Test
    void mapsTheFirstLineOfAFoldedBlockBehindAnAnchor() {
        ViewSpec view = view("folded");

        assertThat(view.block()).isTrue();
        assertThat(view.sql()).isEqualTo("SELECT 3 FROM clicks\n");
        assertThat(view.sqlStart()).isEqualTo(new Location(FILE, 23, 7));
        assertThat(view.locate(1, 8)).isEqualTo(new Location(FILE, 23, 14));
        assertSameCharacter(view, 1, 8, '3');
    }

    @Test
    void treatsPositionsBelowOneAsTheFirstCharacter() {
        assertThat(view("block").locate(0, 0)).isEqualTo(new Location(FILE, 6, 7));
    }

    private ViewSpec view(String name) {
        return spec.view(name).orElseThrow();
    }

    private static void assertSameCharacter(ViewSpec view, int sqlLine, int sqlColumn, char expected) {
        String sqlLineText = view.sql().split("\n", -1)[sqlLine - 1];
        assertThat(sqlLineText.charAt(sqlColumn - 1)).isEqualTo(expected);
        Location location = view.locate(sqlLine, sqlColumn);
        String fileLineText = YAML.split("\n", -1)[location.line() - 1];
        assertThat(fileLineText.charAt(location.column() - 1)).isEqualTo(expected);
    }
}

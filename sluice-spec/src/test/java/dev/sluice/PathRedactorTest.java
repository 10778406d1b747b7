package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathRedactorTest {
    @TempDir
    Path dir;

    @Test
    void namesTheDataDirectoryInsteadOfItsPath() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        PathRedactor redactor = PathRedactor.of(data);

        assertThat(redactor.redact("IO Error: cannot open " + data.toAbsolutePath() + "/sluice.duckdb.wal"))
                .isEqualTo("IO Error: cannot open <data-dir>/sluice.duckdb.wal");
        assertThat(redactor.redact("cannot open " + data.toRealPath() + "/x and " + data.toAbsolutePath() + "/y"))
                .isEqualTo("cannot open <data-dir>/x and <data-dir>/y");
    }

    @Test
    void namesTheHomeDirectoryTilde() {
        String home = System.getProperty("user.home");
        PathRedactor redactor = PathRedactor.of(dir.resolve("elsewhere"));

        assertThat(redactor.redact("Extension \"" + home + "/.duckdb/extensions/x\" not found"))
                .isEqualTo("Extension \"~/.duckdb/extensions/x\" not found");
    }

    @Test
    void leavesOtherTextAndNullAlone() {
        assertThat(PathRedactor.of(dir).redact("Binder Error: column x not found")).isEqualTo("Binder Error: column x not found");
        assertThat(PathRedactor.of(dir).redact(null)).isNull();
        assertThat(PathRedactor.none().redact("/srv/data")).isEqualTo("/srv/data");
    }
}

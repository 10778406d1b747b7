package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    void acceptsTheKeysWhoseHashesTheFileHolds() throws Exception {
        // printf %s 'correct horse battery staple' | sha256sum
        Path file = Files.writeString(dir.resolve("keys"), String.join("\n",
                "# sluice API keys",
                "",
                "sha256:c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a   dashboard",
                "# " + ApiKeys.hashLine("second key") + " (revoked)",
                ""));

        ApiKeys keys = ApiKeys.load(file);

        assertThat(keys.size()).isEqualTo(1);
        assertThat(keys.accepts("correct horse battery staple")).isTrue();
        assertThat(keys.accepts("second key")).isFalse();
        assertThat(keys.accepts("correct horse battery stapl")).isFalse();
        assertThat(keys.accepts("")).isFalse();
        assertThat(keys.accepts(null)).isFalse();
    }

    @Test
    void hashLineIsTheSha256OfTheKey() {
        assertThat(ApiKeys.hashLine("correct horse battery staple"))
                .isEqualTo("sha256:c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a");
    }

    @Test
    void refusesALineThatIsNotAHashWithoutShowingIt() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# keys\nmy-secret-key-pasted-by-mistake\n");

        assertThatThrownBy(() -> ApiKeys.load(file))
                .isInstanceOf(SluiceException.class)
                .hasMessage(file + ":2: expected 'sha256:' and the 64 hex digits of a key's SHA-256, optionally followed by a label."
                        + " The file holds hashes of keys, never keys; see docs/security.md")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("my-secret"));
    }

    @Test
    void refusesAFileWithoutKeysAndAMissingFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n");

        assertThatThrownBy(() -> ApiKeys.load(empty)).isInstanceOf(SluiceException.class)
                .hasMessage("The API key file " + empty + " holds no key hash; add a line 'sha256:<64 hex digits>' (see docs/security.md)");
        assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing"))).isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Cannot read the API key file " + dir.resolve("missing"));
    }
}

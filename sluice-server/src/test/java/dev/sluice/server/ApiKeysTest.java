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
                .hasMessage(file + ":2: expected 'hmac-sha256:<id>:<salt>:<mac>' (written by 'sluice keys create') or 'sha256:' and"
                        + " the 64 hex digits of a key's SHA-256, optionally followed by a label, stream=S and rate=N. The file holds"
                        + " hashes of keys, never keys; see docs/security.md")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("my-secret"));
    }

    @Test
    void refusesAFileWithoutKeysAndAMissingFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n");

        assertThatThrownBy(() -> ApiKeys.load(empty)).isInstanceOf(SluiceException.class)
                .hasMessage("The API key file " + empty + " holds no key hash; create a key with 'sluice keys create --file " + empty
                        + "' or add a line 'sha256:<64 hex digits>' (see docs/security.md)");
        assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing"))).isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Cannot read the API key file " + dir.resolve("missing"));
    }

    @Test
    void createdKeysAreStoredAsSaltedHmacsAndFoundByTheirId() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, ApiKeys.hashLine("legacy key") + " old-dashboard\n");
        java.security.SecureRandom random = new java.security.SecureRandom();

        String global = ApiKeys.create(file, "ops", java.util.Optional.empty(), 0, random);
        String scoped = ApiKeys.create(file, "shop", java.util.Optional.of("clicks"), 2000, random);

        assertThat(global).matches("sk_[0-9a-f]{8}_[0-9a-f]{64}");
        String text = Files.readString(file);
        assertThat(text).doesNotContain(global.substring(12)).doesNotContain(scoped.substring(12));
        assertThat(text).contains("hmac-sha256:" + scoped.substring(3, 11) + ":").contains(" shop stream=clicks rate=2000");
        ApiKeys keys = ApiKeys.load(file);
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.accepts("legacy key")).as("existing files keep working").isTrue();
        assertThat(keys.accepts(global)).isTrue();
        assertThat(keys.accepts(scoped)).as("a stream key is not global").isFalse();
        ApiKeys.Key key = keys.find(scoped).orElseThrow();
        assertThat(key.stream()).hasValue("clicks");
        assertThat(key.ratePerSecond()).isEqualTo(2000);
        assertThat(key.allowsStream("clicks")).isTrue();
        assertThat(key.allowsStream("payments")).isFalse();
        String forged = scoped.substring(0, scoped.length() - 1) + (scoped.endsWith("0") ? "1" : "0");
        assertThat(keys.find(forged)).isEmpty();
        assertThat(ApiKeys.list(file)).extracting(ApiKeys.Key::label).containsExactly("old-dashboard", "ops", "shop");

        assertThat(ApiKeys.revoke(file, key.id())).isTrue();
        assertThat(ApiKeys.revoke(file, key.id())).isFalse();
        assertThat(ApiKeys.load(file).find(scoped)).isEmpty();
        assertThat(ApiKeys.load(file).accepts(global)).isTrue();
    }
}

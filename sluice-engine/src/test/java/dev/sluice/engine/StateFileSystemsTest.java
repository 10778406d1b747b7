package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.storage.Deployment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileSystemsTest {
    @TempDir
    Path dir;

    @AfterEach
    void defaults() {
        StateFileSystems.configure(Map.of(), Optional.empty());
    }

    @Test
    void saysWhichPluginToAddForASchemeFlinkHasNoFileSystemFor() {
        StateFileSystems.configure(Map.of(), Optional.empty());

        assertThatThrownBy(() -> StateFileSystems.check(URI.create("s3://bucket/state")))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Flink has no file system for 's3://' (in s3://bucket/state): put the jar of Flink's S3 file "
                        + "system (flink-s3-fs-hadoop or flink-s3-fs-presto, from the Flink distribution's opt/) into its own "
                        + "sub-directory of the Flink plugins directory (none is set: set FLINK_PLUGINS_DIR, or create plugins/ in "
                        + "the working directory), e.g. plugins/s3-fs-hadoop/; see docs/scale-out.md");
    }

    @Test
    void refusesAPluginsDirectoryThatDoesNotExist() {
        Path missing = dir.resolve("plugins");

        assertThatThrownBy(() -> StateFileSystems.configure(Map.of(), Optional.of(missing)))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("The Flink plugins directory " + missing + " does not exist");
    }

    @Test
    void findsTheNewestRestorePointAndKeepsTheDeploymentThroughFlinksFileSystem() throws Exception {
        StateLocations state = new StateLocations(URI.create(dir.resolve("state").toUri() + "/"));
        assertThat(state.root().toString()).doesNotEndWith("/");
        assertThat(state.latestRestorePoint()).isEmpty();

        Path checkpoint = Files.createDirectories(dir.resolve("state/checkpoints/0123/chk-7"));
        Files.writeString(checkpoint.resolve("_metadata"), "x");
        Files.setLastModifiedTime(checkpoint.resolve("_metadata"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.createDirectories(dir.resolve("state/checkpoints/0123/chk-8")); // not complete: no _metadata
        Path savepoint = Files.createDirectories(dir.resolve("state/savepoints/savepoint-1"));
        Files.writeString(savepoint.resolve("_metadata"), "y");

        assertThat(state.latestRestorePoint()).contains(StateLocations.normalized(savepoint.toUri()));
        assertThat(StateLocations.name(state.latestRestorePoint().orElseThrow())).isEqualTo("savepoint-1");

        Deployment deployment = new Deployment("d-1", false);
        assertThat(state.keep(deployment)).isTrue();
        assertThat(state.keep(deployment)).isFalse();
        assertThat(state.deployment()).contains(deployment);
        assertThat(dir.resolve("state/deployment.properties.tmp")).doesNotExist();

        URI aside = state.setAside(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(StateLocations.name(aside)).isEqualTo("reset-2026-01-02T030405Z");
        assertThat(state.latestRestorePoint()).isEmpty();
        assertThat(state.deployment()).isEmpty();
        assertThat(dir.resolve("state/reset-2026-01-02T030405Z/savepoints/savepoint-1/_metadata")).isRegularFile();
    }
}

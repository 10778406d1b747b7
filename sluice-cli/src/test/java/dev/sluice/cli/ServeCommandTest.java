package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesTheFilesGivenThenThePipelineFilesOfTheDirectoryInNameOrder() throws Exception {
        Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
        Files.writeString(pipelines.resolve("b.yml"), "");
        Files.writeString(pipelines.resolve("a.yaml"), "");
        Files.writeString(pipelines.resolve("notes.txt"), "");
        Files.createDirectories(pipelines.resolve("c.yaml"));
        Path extra = Files.writeString(dir.resolve("z.yaml"), "");

        assertThat(ServeCommand.pipelineFiles(pipelines, List.of(extra)))
                .containsExactly(extra, pipelines.resolve("a.yaml"), pipelines.resolve("b.yml"));
    }

    @Test
    void refusesToServeNothing() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> ServeCommand.pipelineFiles(empty, List.of()))
                .isInstanceOf(SluiceException.class)
                .hasMessage("No pipeline to serve: give pipeline files, or --pipelines DIR with *.yaml files in it (" + empty + " has none)");
        assertThatThrownBy(() -> ServeCommand.pipelineFiles(dir.resolve("missing"), List.of()))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("--pipelines " + dir.resolve("missing") + " is not a directory");
    }
}

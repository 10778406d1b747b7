package dev.sluice.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a fixed size mounted for one test (needs root, as in CI; the test is skipped elsewhere), and ballast files
 * that take its space away as another process would.
 */
final class SmallFilesystem implements AutoCloseable {
    private final Path mountPoint;
    private final FileStore store;

    private SmallFilesystem(Path mountPoint) throws IOException {
        this.mountPoint = mountPoint;
        this.store = Files.getFileStore(mountPoint);
    }

    static SmallFilesystem mount(Path mountPoint, long megabytes) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small filesystem needs root (CI runs as root)");
        Files.createDirectories(mountPoint);
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString());
        return new SmallFilesystem(mountPoint);
    }

    Path path() {
        return mountPoint;
    }

    long freeBytes() throws IOException {
        return store.getUsableSpace();
    }

    /** Writes {@code bytes} into a new ballast file, or until the filesystem is full; returns the file. */
    Path fill(String name, long bytes) throws IOException {
        Path file = mountPoint.resolve(name);
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'x');
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return file;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("umount", "-l", mountPoint.toString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }
}

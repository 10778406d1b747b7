package dev.sluice.ingest;

import dev.sluice.SluiceException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a file (NDJSON, one JSON object per line, or anything else) as events without a key, so that
 * {@link GeneratorRunner} can send a recorded or hand-written stream with the same producer settings, pacing and
 * progress as a generator. Lines are sent as raw bytes, exactly as in the file (a broken line stays broken, which
 * is how a dead-letter path is tested); line ends ({@code \n} or {@code \r\n}) are not part of a record, and blank
 * lines are skipped. Count the records first with {@link #countRecords(Path)} and let the runner stop there.
 *
 * <pre>{@code
 * Path file = Path.of("events.ndjson");
 * try (FileEvents events = FileEvents.open(file);
 *      GeneratorRunner runner = GeneratorRunner.start(bootstrap, new Properties(),
 *              GeneratorSettings.to("clickstream").withMaxEvents(FileEvents.countRecords(file)), events)) {
 *     runner.awaitCompletion(Duration.ofMinutes(5));
 * }
 * }</pre>
 */
public final class FileEvents implements EventGenerator, AutoCloseable {

    private static final byte[] NO_KEY = new byte[0];

    private final Path file;
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);

    private FileEvents(Path file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    public static FileEvents open(Path file) {
        try {
            return new FileEvents(file, new BufferedInputStream(Files.newInputStream(file), 64 * 1024));
        } catch (IOException e) {
            throw new SluiceException("Cannot read the events file " + file + ": " + e, e);
        }
    }

    /** Records in {@code file}: its lines that are not blank. */
    public static long countRecords(Path file) {
        try (FileEvents events = open(file)) {
            long count = 0;
            while (events.readRecord() != null) {
                count++;
            }
            return count;
        }
    }

    /** Stream name {@code file}. */
    @Override
    public String name() {
        return "file";
    }

    /** The next non-blank line, with an empty key (the runner sends it without a key). */
    @Override
    public EncodedEvent nextEvent() {
        byte[] value = readRecord();
        if (value == null) {
            throw new SluiceException("The events file " + file + " has no more records; it changed while being sent,"
                    + " or more records were asked for than countRecords() found");
        }
        return new EncodedEvent(NO_KEY, value);
    }

    private byte[] readRecord() {
        try {
            while (true) {
                line.reset();
                int b;
                while ((b = in.read()) >= 0 && b != '\n') {
                    line.write(b);
                }
                if (b < 0 && line.size() == 0) {
                    return null;
                }
                byte[] bytes = line.toByteArray();
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                if (!isBlank(bytes, length)) {
                    return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
                }
            }
        } catch (IOException e) {
            throw new SluiceException("Cannot read the events file " + file + ": " + e, e);
        }
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new SluiceException("Cannot close the events file " + file + ": " + e, e);
        }
    }
}

package dev.sluice.engine.internal;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.sluice.SluiceException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reference rows read from a CSV file with a header row, converted to the declared column types. Loaded where
 * the pipeline is compiled and shipped inside the job, so the file need not exist on the Flink cluster. Columns
 * are matched by header name; an empty cell is null.
 */
public final class ReferenceData implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ArrayList<Object[]> rows;

    private ReferenceData(ArrayList<Object[]> rows) {
        this.rows = rows;
    }

    public List<Object[]> rows() {
        return rows;
    }

    /** Reads {@code file}; any problem throws a {@link SluiceException} naming file, line and column. */
    public static ReferenceData load(Path file, RecordSchema schema) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        ArrayList<Object[]> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).readValues(file.toFile())) {
            if (!it.hasNextValue()) {
                throw new SluiceException(file + ":1: the reference file is empty; expected a header row with the columns "
                        + columnList(schema));
            }
            String[] header = it.nextValue();
            int[] positions = new int[schema.size()];
            for (int i = 0; i < schema.size(); i++) {
                positions[i] = Arrays.asList(header).indexOf(schema.name(i));
                if (positions[i] < 0) {
                    throw new SluiceException(file + ":1: the header has no column '" + schema.name(i)
                            + "'; header is " + String.join(",", header) + ", expected columns " + columnList(schema));
                }
            }
            while (it.hasNextValue()) {
                long line = it.getCurrentLocation().getLineNr();
                String[] cells = it.nextValue();
                if (cells.length == 1 && cells[0].isEmpty()) {
                    continue;
                }
                Object[] row = new Object[schema.size()];
                for (int i = 0; i < schema.size(); i++) {
                    int p = positions[i];
                    String cell = p < cells.length ? cells[p] : "";
                    if (cell.isEmpty()) {
                        continue;
                    }
                    try {
                        row[i] = ValueParser.fromText(cell, schema.type(i));
                    } catch (IllegalArgumentException e) {
                        throw new SluiceException(file + ":" + line + ": column '" + schema.name(i) + "': " + e.getMessage());
                    }
                }
                rows.add(row);
            }
        } catch (IOException e) {
            throw new SluiceException("Cannot read reference file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof SluiceException) {
                throw e;
            }
            throw new SluiceException("Cannot read reference file " + file + ": " + e.getMessage(), e);
        }
        return new ReferenceData(rows);
    }

    private static String columnList(RecordSchema schema) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < schema.size(); i++) {
            names.add(schema.name(i));
        }
        return String.join(",", names);
    }
}

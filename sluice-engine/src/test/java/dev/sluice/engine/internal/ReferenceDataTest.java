package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.spec.ColumnSpec;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceDataTest {
    @TempDir
    Path dir;

    private final RecordSchema schema = RecordSchema.of(List.of(
            new ColumnSpec("id", "STRING", null), new ColumnSpec("rate", "DECIMAL(8, 4)", null)));

    @Test
    void readsColumnsByHeaderNameWithQuotesAndEmptyCells() throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "rate,name,id\n1.5,\"A, Ltd\",x\n,B,y\n");
        List<Object[]> rows = ReferenceData.load(file, schema).rows();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).containsExactly("x", new BigDecimal("1.5000"));
        assertThat(rows.get(1)).containsExactly("y", null);
    }

    @Test
    void badCellsNameFileLineAndColumn() throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "id,rate\nx,1\ny,lots\n");
        assertThatThrownBy(() -> ReferenceData.load(file, schema)).isInstanceOf(SluiceException.class)
                .hasMessage(file + ":3: column 'rate': expected DECIMAL(8, 4), got \"lots\"");
    }

    @Test
    void missingHeaderColumnIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "id,price\nx,1\n");
        assertThatThrownBy(() -> ReferenceData.load(file, schema))
                .hasMessage(file + ":1: the header has no column 'rate'; header is id,price, expected columns id,rate");
    }
}

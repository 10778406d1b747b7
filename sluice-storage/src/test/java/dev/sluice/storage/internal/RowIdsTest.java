package dev.sluice.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.ColumnSpec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RowIdsTest {
    private final RowIds ids = new RowIds();

    @Test
    void theOrderColumnIsTheFirstTimestamp() {
        assertThat(RowIds.orderColumn(List.of(column("id", "BIGINT"), column("at", "TIMESTAMP(3)"), column("ltz", "TIMESTAMP_LTZ(3)"))))
                .isEqualTo(1);
        assertThat(RowIds.orderColumn(List.of(column("ltz", "TIMESTAMP_LTZ(3)")))).isZero();
        assertThat(RowIds.orderColumn(List.of(column("id", "BIGINT"), column("name", "STRING")))).isEqualTo(-1);
    }

    @Test
    void equalValuesGiveEqualIdsAndAnyOtherValueAnotherId() {
        String[] row = {"7", "k1", "2026-11-29T14:00:00.123"};
        UUID id = ids.uuid(row, 2);

        assertThat(ids.uuid(row.clone(), 2)).isEqualTo(id);
        assertThat(ids.uuid(new String[] {"8", "k1", "2026-11-29T14:00:00.123"}, 2)).isNotEqualTo(id);
        assertThat(ids.uuid(new String[] {"7", "k1", "2026-11-29T14:00:00.124"}, 2)).isNotEqualTo(id);
        assertThat(ids.uuid(new String[] {"7", null, "2026-11-29T14:00:00.123"}, 2)).isNotEqualTo(id);
        assertThat(ids.of(row, 2)).isEqualTo(id.toString());
    }

    @Test
    void idsWithAnOrderColumnStartWithItsSecondAndGrowWithIt() {
        UUID earlier = ids.uuid(new String[] {"9", "2026-11-29T14:00:59.999"}, 1);
        UUID later = ids.uuid(new String[] {"1", "2026-11-29T14:01:00"}, 1);

        assertThat(earlier.getMostSignificantBits() >>> 17).isEqualTo(20261129140059L);
        assertThat(later.getMostSignificantBits() >>> 17).isEqualTo(20261129140100L);
        assertThat(later.toString()).isGreaterThan(earlier.toString());
        assertThat(later.version()).isEqualTo(8);
        assertThat(later.variant()).isEqualTo(2);
    }

    @Test
    void withoutAnOrderValueTheIdIsTheNameBasedOne() {
        String[] row = {"7", null};
        UUID id = ids.uuid(row, 1);

        assertThat(id).isEqualTo(ids.uuid(row, -1));
        assertThat(id.version()).isEqualTo(3);
        assertThat(id.variant()).isEqualTo(2);
    }

    private static ColumnSpec column(String name, String type) {
        return new ColumnSpec(name, type, null);
    }
}
